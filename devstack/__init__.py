"""The product's local system: the engine's generic stack (``localaws``) plus what is ours.

``make run`` starts it: the template deployed into the engine with local parameter values,
the REST API, the search service's tasks and gateway, the pages, the mailbox, the support
console, and the demo users and hotels. Nothing here is emulation; the engine never imports it.
"""
