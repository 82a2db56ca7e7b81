"""The X-Ray tracer every function uses: Powertools' Tracer, patching botocore only.

Every AWS call the functions make goes through botocore, so patching it records each as a
subsegment. The default (``patch_all``) would also try some fifteen other libraries at cold
start (sqlite3, requests, httpx, pymongo, ...), importing several of them, none of which the
functions use (docs/performance.md, "Cold starts").
"""

from __future__ import annotations

from aws_lambda_powertools import Tracer

#: What X-Ray instruments: every AWS SDK call (boto3 goes through botocore).
TRACED_MODULES = ("botocore",)


def tracer(service: str | None = None) -> Tracer:
    return Tracer(service=service, patch_modules=TRACED_MODULES)
