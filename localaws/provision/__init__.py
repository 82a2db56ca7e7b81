"""From template to resources: the template's translation, intrinsics, the deployer, and one
creator per resource type registered in ``registry`` by the module beside it. Add a resource
type with ``@creates`` in the module that fits, imported by ``deploy``."""
