"""What the engine's commands start for any app: ``up``, the faults CLI, the alarms' evaluator
and a stack's data across restarts. An app's own local system (this product's: ``make run``)
builds on these in a package of its own."""
