"""support_console: tooling for support staff to inspect booking executions.

A product of its own, not part of the emulator: the same reads (:mod:`support_console.executions`)
serve a web console (:mod:`support_console.app`, mounted at ``/console/`` by ``make run``) and a
CLI (``python -m support_console executions``), against the local stack or a real AWS account
(``--aws``). It depends on boto3 and the web libraries only; ``localaws`` imports it, never the
other way round.
"""
