"""Which function creates each resource type: the modules beside the emulation they feed register
their creators here, and the deployer only looks them up, so no resource module imports the
deployer and the deployer imports each of them once, by name."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar


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


def local_id(d: Deploying, logical_id: str, prefix: str, length: int = 17) -> str:
    """A stable id for a resource with nothing to emulate (``prefix`` + hex of its name)."""
    return prefix + hashlib.sha1(f"{d.stack_name}/{logical_id}".encode()).hexdigest()[:length]
