"""localaws: developer tooling that runs this project's AWS resources on one machine.

Not product code: it deploys template.yaml into moto on loopback, runs the Lambda handlers
in-process when Step Functions (or the API) invokes them, and gives tests a controllable clock.
"""

from localaws.cloud import LocalCloud

__all__ = ["LocalCloud"]
