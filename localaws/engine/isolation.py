"""Each in-process Lambda container gets its own copy of the modules that keep per-process state.

On AWS every execution environment is a process: module-level objects such as Powertools'
``Metrics`` (whose metric set is a class attribute) or ``Logger`` (whose keys, the correlation
id among them, live on a formatter registered on ``logging.getLogger(service)``) belong to one
container, which runs one invocation at a time. In one Python process they would be shared by
every container of every function: overlapping invocations flush each other's metrics
(``SchemaValidationError: Must contain at least one metric``) and log each other's correlation
ids. So a container imports its code, and the libraries that hold such state, into a namespace
of its own:

- modules of the isolated packages (the function's code, ``aws_lambda_powertools``) are loaded
  afresh for the container, under a private prefix in ``sys.modules`` (so pydantic, dataclasses
  and tracebacks find them by name), and their ``import`` statements resolve within the
  namespace through their own ``__builtins__.__import__``;
- ``logging`` is seen through a view with a logger registry of its own, so
  ``logging.getLogger(name)`` in a container never returns another container's logger;
- everything else (the standard library, boto3, pydantic) is shared, as it holds no state a
  handler could observe.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import itertools
import logging
import sys
import threading
import types
from collections.abc import Iterable, Sequence
from typing import Any

#: Libraries a handler may import whose module state must be per container.
ISOLATED_LIBRARIES = frozenset({"aws_lambda_powertools"})
PREFIX = "_localaws_c"

_real_import = builtins.__import__
_serial = itertools.count(1)
_namespaces: dict[str, Namespace] = {}
_install_lock = threading.Lock()


class Namespace:
    """The modules one container has imported, known in ``sys.modules`` as ``<prefix>.<name>``."""

    def __init__(self, code_dir: str, packages: Iterable[str]) -> None:
        _install_finder()
        self.prefix = f"{PREFIX}{next(_serial)}"
        self.path = [code_dir, *sys.path]
        self.isolated = frozenset(packages) | ISOLATED_LIBRARIES
        self.builtins = dict(builtins.__dict__, __import__=self._import)
        self.logging = _logging_view()
        _namespaces[self.prefix] = self

    def load(self, name: str) -> types.ModuleType:
        """Import ``name`` (a dotted module name) into this namespace."""
        return importlib.import_module(f"{self.prefix}.{name}")

    def discard(self) -> None:
        """Forget the container's modules (it was thrown away)."""
        _namespaces.pop(self.prefix, None)
        # list() copies the names in one step; a comprehension would iterate sys.modules while
        # another thread imports (RuntimeError: dictionary changed size during iteration).
        for name in list(sys.modules):
            if name == self.prefix or name.startswith(self.prefix + "."):
                sys.modules.pop(name, None)

    def _import(
        self,
        name: str,
        globals: dict[str, Any] | None = None,
        locals: Any = None,
        fromlist: Sequence[str] | None = (),
        level: int = 0,
    ) -> types.ModuleType:
        """``__import__`` for the container's modules: isolated names resolve in the namespace."""
        if level == 0:
            top = name.partition(".")[0]
            if name == "logging":
                return self.logging
            if top in self.isolated:
                private = f"{self.prefix}.{name}"
                if fromlist:
                    return _real_import(private, globals, locals, fromlist, 0)
                importlib.import_module(private)
                return sys.modules[f"{self.prefix}.{top}"]
        # Relative imports are relative to a prefixed package already.
        return _real_import(name, globals, locals, fromlist or (), level)


class _Loader(importlib.abc.Loader):
    """Runs a module's source with the namespace's ``__builtins__`` (its ``__import__``)."""

    def __init__(self, inner: importlib.machinery.SourceFileLoader, namespace: Namespace):
        self._inner = inner
        self._namespace = namespace

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        module.__builtins__ = self._namespace.builtins  # type: ignore[attr-defined]
        self._inner.exec_module(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds ``<prefix>.<name>``: the source of ``name``, loaded for that namespace."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(PREFIX):
            return None
        prefix, _, name = fullname.partition(".")
        namespace = _namespaces.get(prefix)
        if namespace is None:
            return None
        if not name:  # the namespace's root: a package holding nothing but its children
            spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = []
            return spec
        found = importlib.machinery.PathFinder.find_spec(
            name, list(path) if path and "." in name else namespace.path
        )
        if found is not None and found.origin is None and found.submodule_search_locations:
            # A folder without __init__.py (a namespace package), as a path-style handler
            # ``hello_world/app.handler`` names one: Lambda's runtime imports it as such.
            spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = list(found.submodule_search_locations)
            return spec
        if found is None or not isinstance(found.loader, importlib.machinery.SourceFileLoader):
            return None
        assert found.origin is not None
        loader = _Loader(importlib.machinery.SourceFileLoader(fullname, found.origin), namespace)
        spec = importlib.machinery.ModuleSpec(
            fullname,
            loader,
            origin=found.origin,
            is_package=found.submodule_search_locations is not None,
        )
        spec.submodule_search_locations = found.submodule_search_locations
        spec.has_location = True
        return spec


def _install_finder() -> None:
    with _install_lock:
        if not any(isinstance(f, _Finder) for f in sys.meta_path):
            sys.meta_path.insert(0, _Finder())


def _logging_view() -> types.ModuleType:
    """``logging`` with a registry (root logger and manager) of the container's own."""
    view = types.ModuleType("logging")
    view.__dict__.update(logging.__dict__)
    root = logging.RootLogger(logging.WARNING)
    manager = logging.Manager(root)

    def get_logger(name: str | None = None) -> logging.Logger:
        if not name or name == root.name:
            return root
        if name.startswith(PREFIX):  # a module's __name__: its loggers keep their usual names
            name = name.partition(".")[2]
        return manager.getLogger(name)

    view.root = root  # type: ignore[attr-defined]
    view.getLogger = get_logger  # type: ignore[attr-defined]
    return view
