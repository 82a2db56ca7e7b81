"""The object a patch calls back into, while one is running."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Hook(Generic[T]):
    """A patch installed once per process reports to whichever instance is attached now (the
    running cloud's pollers, say); with none attached it does what moto does. Lower layers keep
    a hook, higher ones attach to it, so no patch imports what it reports to."""

    def __init__(self) -> None:
        self.current: T | None = None

    def attach(self, obj: T) -> None:
        self.current = obj

    def detach(self, obj: T) -> None:
        if self.current is obj:
            self.current = None
