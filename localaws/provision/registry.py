"""Which function creates each resource type: the modules beside the emulation they feed register
their creators here, and the deployer only looks them up, so no resource module imports the
deployer and the deployer imports each of them once, by name."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from botocore import xform_name


class DeployError(RuntimeError):
    pass


@dataclass
class Deployed:
    logical_id: str
    type: str
    ref: Any
    attributes: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)


class Deploying(Protocol):
    """What a creator may ask of the deployment under way."""

    stack_name: str
    region: str

    def client(self, service: str) -> Any: ...

    def physical_name(self, logical_id: str, max_len: int = 64) -> str: ...

    def arn(self, service: str, resource: str) -> str: ...


Creator = TypeVar("Creator", bound=Callable[..., Deployed])
_CREATORS: dict[str, Callable[..., Deployed]] = {}


def creates(*types: str) -> Callable[[Creator], Creator]:
    def register(fn: Creator) -> Creator:
        for t in types:
            _CREATORS[t] = fn
        return fn

    return register


def creator_for(type_: str) -> Callable[..., Deployed] | None:
    return _CREATORS.get(type_)


def supported_types() -> set[str]:
    return set(_CREATORS)


def api_call(d: Deploying, service: str, operation: str, props: dict[str, Any]) -> Any:
    """``operation``'s answer, called with the properties it takes (CloudFormation names most
    after the API's parameters, nested ones too), typed as the API's shapes say: a number or a
    boolean may arrive as text from a template parameter, a JSON-typed property as an object."""
    client = d.client(service)
    shape = client.meta.service_model.operation_model(operation).input_shape
    return getattr(client, xform_name(operation))(**_as_shaped(shape, props))


def _as_shaped(shape: Any, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: _as_shaped(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if kind == "list" and isinstance(value, list):
        return [_as_shaped(shape.member, v) for v in value]
    if kind in ("integer", "long"):
        return int(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if kind == "string" and isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


def local_id(d: Deploying, logical_id: str, prefix: str, length: int = 17) -> str:
    """A stable id for a resource with nothing to emulate (``prefix`` + hex of its name)."""
    return prefix + hashlib.sha1(f"{d.stack_name}/{logical_id}".encode()).hexdigest()[:length]
