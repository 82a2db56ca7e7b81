"""Caches for work moto repeats on every request, each keeping moto's answers exactly.

Under load (issue 13) a profile of the stack showed two kinds of repeated work that did not
depend on the request at all:

- **JSONPath parsing.** The Step Functions interpreter and EventBridge's input transformer
  parse each JSONPath (``$$.Task.Token``, ``$.bookingId``…) again at every evaluation, and
  ``jsonpath_ng`` builds a fresh PLY lexer for each parse: ~10% of the stack's CPU. A parsed
  path is an immutable tree (``find`` builds new result objects), so one parse per string
  serves every evaluation on every thread.
- **Response attribute lookups.** moto's generic response serializer asks six alias providers,
  for every member of every structure it serializes, which names the value may have on the
  Python object (``ItemCount``, ``item_count``…): ~15-20% of the stack's CPU (DynamoDB items,
  stream records). The candidate names depend only on the member's shape, its parent shape and
  the object's class, so they are computed once per combination; the lookup itself, in
  moto's order, still runs for every value.
- **Per-request reflection and parsing.** moto lists a response class's methods
  (``inspect.getmembers``) on every request, and parses an UpdateExpression twice per
  UpdateItem (the handler, then the backend). The method list is cached per class (and redone
  if the class gains an attribute); the parsed expression per string: its only users read it
  or deep-copy it before validating, so one parse serves every call.
- **Copying a parsed UpdateExpression.** The validator deep-copies the (now shared) parsed
  expression on every UpdateItem, ~10% of the stack's CPU: ``copy.deepcopy`` walks the tree in
  Python. The tree is pickled once and each copy is an unpickling (about 3 times cheaper),
  which rebuilds the same objects through the same ``__reduce_ex__`` protocol as ``deepcopy``.
"""

from __future__ import annotations

import copy
import functools
import pickle
import threading
from typing import Any

from localaws import guard


def install() -> None:
    _cache_jsonpath_parsing()
    _cache_attribute_names()
    _cache_method_names()
    _cache_update_expressions()
    _copy_expressions_by_pickle()


def _cache_method_names() -> None:
    responses, original = guard.response_method_lister()
    if getattr(original, "_localaws_cached", False):
        return
    names: dict[type, tuple[int, list[str]]] = {}

    def method_names(clazz: Any) -> list[str]:
        size = sum(len(vars(k)) for k in clazz.__mro__)
        entry = names.get(clazz)
        if entry is None or entry[0] != size:
            entry = names[clazz] = (size, original(clazz))
        return list(entry[1])

    method_names._localaws_cached = True  # type: ignore[attr-defined]
    responses.method_names_from_class = method_names


def _cache_update_expressions() -> None:
    parser_cls = guard.update_expression_parser()
    if getattr(parser_cls.make, "_localaws_cached", False):
        return
    make = functools.lru_cache(maxsize=4096)(parser_cls.make)

    def cached(cls: Any, expression: str) -> Any:
        return make(expression)

    cached._localaws_cached = True  # type: ignore[attr-defined]
    parser_cls.make = classmethod(cached)


def _cache_jsonpath_parsing() -> None:
    for module, name in guard.jsonpath_parse_users():
        original = getattr(module, name)
        if getattr(original, "_localaws_cached", False):
            continue
        cached = functools.lru_cache(maxsize=4096)(original)
        cached._localaws_cached = True  # type: ignore[attr-defined]
        setattr(module, name, cached)


def _cache_attribute_names() -> None:
    picker_cls, get_value, missing = guard.serializer_attribute_picker()
    original = picker_cls.__call__
    if getattr(original, "_localaws_cached", False):
        return
    # (id(shape), id(parent), key, class, picker class) -> (shape, parent, candidate names).
    # The entry keeps the shape and parent alive, so their ids cannot be reused by others.
    names: dict[tuple[Any, ...], tuple[Any, Any, tuple[str, ...]]] = {}
    lock = threading.Lock()

    def pick(self: Any, context: Any) -> Any:
        obj = context.obj
        if "Meta" in getattr(obj, "__dict__", ()):  # per-instance aliases: ask every time
            return original(self, context)
        shape = context.shape
        parent = getattr(shape, "parent", None)
        key = (id(shape), id(parent), context.key, type(obj), type(self))
        entry = names.get(key)
        if entry is None or entry[0] is not shape or entry[1] is not parent:
            entry = (shape, parent, tuple(self.get_possible_keys(context)))
            with lock:
                names[key] = entry
        value = None
        for candidate in entry[2]:
            found = get_value(obj, candidate, missing)
            if found is not missing:
                value = found
                break
        if self.response_transformers:
            key_path = f"{context.key_path}.{context.key}"
            for transform_path, transform in self.response_transformers.items():
                if key_path.endswith(transform_path):
                    return transform(value)
        return value

    pick._localaws_cached = True  # type: ignore[attr-defined]
    pick._localaws_original = original  # type: ignore[attr-defined]
    picker_cls.__call__ = pick


def _copy_expressions_by_pickle() -> None:
    validators, node_cls = guard.update_expression_validator_module()
    if getattr(validators.deepcopy, "_localaws_cached", False):
        return
    # id(tree) -> (tree, pickled tree); the entry keeps the tree alive so its id stays its own.
    pickled: dict[int, tuple[Any, bytes]] = {}
    lock = threading.Lock()

    def copy_tree(obj: Any, memo: Any = None) -> Any:
        if memo is not None or not isinstance(obj, node_cls):
            return copy.deepcopy(obj, memo)
        entry = pickled.get(id(obj))
        if entry is None or entry[0] is not obj:
            try:
                entry = (obj, pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))
            except Exception:  # not picklable: copy it as moto does
                return copy.deepcopy(obj)
            with lock:
                if len(pickled) >= 4096:  # trees outside the parse cache: do not grow forever
                    pickled.clear()
                pickled[id(obj)] = entry
        return pickle.loads(entry[1])

    copy_tree._localaws_cached = True  # type: ignore[attr-defined]
    validators.deepcopy = copy_tree
