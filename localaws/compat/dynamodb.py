"""Two patches of moto's DynamoDB (and SNS) backends, for correctness and for cost.

``serialise_backends``: moto's backends are plain objects shared by every request thread; a
lock per service makes each operation atomic, as DynamoDB's per-item atomicity is.
``copy_only_touched_items``: a transaction's rollback copies the items it names, not whole
tables (a speedup, with the same rollback)."""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

from localaws.compat import guard


def _serialise(backend: Any, operations: tuple[str, ...], lock: threading.RLock) -> None:
    for name in operations:
        original = getattr(backend, name)
        if getattr(original, "_localaws_locked", False):
            continue

        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)

        locked._localaws_locked = True  # type: ignore[attr-defined]
        setattr(backend, name, locked)


def serialise_backends() -> None:
    """moto's backends are plain Python objects shared by every request thread.

    DynamoDB applies each write and transaction atomically; moto's check-then-write holds no
    lock, so two racing transactions could both see the last room, and a read could see an
    item half-built by an update. SNS iterates a topic's subscriptions while publishing, which
    a concurrent subscribe changes under it. Serialise each service's operations.

    DynamoDB's handler builds its answer from the backend's live items after the backend
    call returns: an update in another thread could change an item while a read turns it
    into JSON ("dictionary changed size during iteration"). The handler's methods hold the
    same lock, so an answer is built from the item as that call left it."""
    dynamodb = threading.RLock()
    _serialise(guard.dynamodb_backend_class(), guard.DYNAMODB_ITEM_OPERATIONS, dynamodb)
    _serialise(guard.dynamodb_handler_class(), guard.DYNAMODB_ITEM_OPERATIONS, dynamodb)
    _serialise(guard.sns_backend_class(), guard.SNS_OPERATIONS, threading.RLock())


class _NoTableCopy:
    """``copy`` for moto's DynamoDB models: deep copies of whole tables are skipped while
    :func:`copy_only_touched_items` keeps the transaction's own undo record."""

    def __init__(self, table_cls: type) -> None:
        self._table_cls = table_cls
        self.skip = threading.local()

    def deepcopy(self, obj: Any, memo: Any = None) -> Any:
        if getattr(self.skip, "on", False) and isinstance(obj, self._table_cls):
            return obj
        return copy.deepcopy(obj, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def copy_only_touched_items() -> None:
    """moto's TransactWriteItems deep-copies every table it touches to roll back on failure:
    12 ms with 36 items, hundreds of ms with thousands, under the DynamoDB lock, so the
    engine slowed down as data grew. Copy only the items the transaction names (at most 100)
    and put them back on failure, which is the same rollback."""
    models = guard.dynamodb_models_module()
    if isinstance(models.copy, _NoTableCopy):
        return
    from moto.dynamodb.models.table import Table

    no_table_copy = _NoTableCopy(Table)
    backend_cls = models.DynamoDBBackend
    original = backend_cls.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        try:
            undo = _touched_items(self, transact_items)
        except Exception:  # malformed: let moto answer as it does, with its own copies
            return original(self, transact_items)
        streams = _stream_lengths(undo)
        no_table_copy.skip.on = True
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in undo:
                _put_back(table, hash_key, range_key, item)
            _drop_stream_records(streams)
            raise
        finally:
            no_table_copy.skip.on = False

    models.copy = no_table_copy
    backend_cls.transact_write_items = transact_write_items


def _touched_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(table, hash key, range key, a copy of the item or None) for each item named."""
    undo = []
    for entry in transact_items[:100]:
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue
        if "Item" in op:
            names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
            keys = {name: op["Item"][name] for name in names}
        else:
            keys = op["Key"]
        hash_key, range_key = backend.get_keys_value(table, keys)
        item = table.get_item(hash_key, range_key)
        undo.append((table, hash_key, range_key, copy.deepcopy(item) if item else None))
    return undo


def _stream_lengths(undo: list[tuple[Any, ...]]) -> list[tuple[Any, int]]:
    """Each named table's live stream shard and its record count before the transaction."""
    shards = {id(t.stream_shard): t.stream_shard for t, *_ in undo if t.stream_shard is not None}
    return [(shard, len(shard.items)) for shard in shards.values()]


def _drop_stream_records(streams: list[tuple[Any, int]]) -> None:
    """A cancelled transaction writes nothing, so its stream gets no records: drop those moto
    appended as it applied the items before the failing one. The tables are not replaced by
    copies here, so the shard the pollers read stays the live one."""
    for shard, length in streams:
        del shard.items[length:]


def _put_back(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    if range_key is not None:
        if item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item
    elif item is None:
        table.items.pop(hash_key, None)
    else:
        table.items[hash_key] = item
