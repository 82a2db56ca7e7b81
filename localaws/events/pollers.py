"""Lambda's event source pollers for SQS and DynamoDB Streams, run as AWS runs them.

moto 5.2.5 calls the function synchronously inside SendMessage or the table write, one record
at a time, and then forgets: a failed SQS message is redelivered only when another message is
sent, ``ReportBatchItemFailures`` is ignored, and a failed stream record is dropped. Here each
event source mapping gets a poller thread of its own instead (moto's synchronous call is
detached), which:

- SQS: receives up to ``BatchSize`` messages, invokes the function once per batch, deletes what
  succeeded (only the messages a ``batchItemFailures`` response does not name, when the mapping
  has ``ReportBatchItemFailures``), and leaves the rest in flight: they come back after the
  queue's visibility timeout, with ``ApproximateReceiveCount`` counted, and the queue's redrive
  policy moves them to the dead-letter queue after ``maxReceiveCount`` receives.
- DynamoDB Streams: reads the stream in order from ``StartingPosition``, retries a failed batch
  (from the first reported failure, halving it with ``BisectBatchOnFunctionError``) until it
  succeeds or ``MaximumRetryAttempts`` is spent, then sends the batch's description to the
  ``OnFailure`` destination. The stream never moves past a batch that has not succeeded or
  been discarded.
- ``FilterCriteria`` are honoured (EventBridge pattern syntax; an SQS message that matches no
  filter is deleted, a stream record skipped, as on AWS).

An idle poller sleeps on a condition: SQS's own (notified on every new message) with a timeout
at the moment the next in-flight message becomes visible; the stream poller on one notified by
every table write. Nothing spins.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from localaws.compat import guard
from localaws.compat.hook import Hook
from localaws.events.delivery import Delivery

log = logging.getLogger("localaws.events")

#: The only live Pollers (LocalCloud is one per process); moto's patched methods report to it.
ACTIVE: Hook[Pollers] = Hook()  # the running cloud's; its patches report to it
_IDLE_CAP_S = 20.0  # re-check an in-flight queue at least this often (cheap; never spins)


class Pollers:
    """Every event source mapping's poller, started when the mapping is created (by the
    deployer or through the Lambda API) and stopped with the cloud."""

    def __init__(self, delivery: Delivery) -> None:
        self.runtime = delivery.runtime
        self.client = delivery.client
        self.scale = delivery.scale
        self._pollers: dict[str, _Poller] = {}
        self._lock = threading.Lock()
        self.stream_cond = threading.Condition()
        self._stream_writes: dict[str, int] = {}

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        ACTIVE.attach(self)

    def stop(self) -> None:
        ACTIVE.detach(self)
        with self._lock:
            pollers = list(self._pollers.values())
            self._pollers.clear()
        for poller in pollers:
            poller.stop()
        for poller in pollers:
            poller.join(5.0)

    def __len__(self) -> int:
        """How many mappings are being polled."""
        with self._lock:
            return len(self._pollers)

    @property
    def busy(self) -> bool:
        """Some poller is invoking its function right now."""
        with self._lock:
            return any(p.invoking for p in self._pollers.values())

    # -- reported by moto's patched methods -----------------------------------------------
    def mapping_created(self, esm: Any) -> None:
        arn = esm.event_source_arn
        service = arn.split(":")[2]
        if service == "sqs":
            queue = guard.sqs_queue(esm.region, arn.rsplit(":", 1)[1])
            queue.lambda_event_source_mappings.pop(esm.function_arn, None)
            poller: _Poller = SqsPoller(self, esm)
        elif service == "dynamodb":
            table = guard.dynamodb_table(esm.region, arn.split(":", 5)[5].split("/")[1])
            table.lambda_event_source_mappings.pop(esm.function_arn, None)
            poller = StreamPoller(self, esm)
        else:
            log.warning("event source %s is left to moto (not polled by localaws)", arn)
            return
        with self._lock:
            self._pollers[esm.uuid] = poller
        poller.start()

    def mapping_updated(self, mapping_uuid: str) -> None:
        with self._lock:
            poller = self._pollers.get(mapping_uuid)
        if poller is not None:
            poller.wake()

    def mapping_deleted(self, mapping_uuid: str) -> None:
        with self._lock:
            poller = self._pollers.pop(mapping_uuid, None)
        if poller is not None:
            poller.stop()

    def stream_written(self, table_name: str) -> None:
        with self.stream_cond:
            self._stream_writes[table_name] = self._stream_writes.get(table_name, 0) + 1
            self.stream_cond.notify_all()

    def stream_writes(self, table_name: str) -> int:
        with self.stream_cond:
            return self._stream_writes.get(table_name, 0)


# ------------------------------------------------------------------------------ pollers
class _Poller:
    def __init__(self, owner: Pollers, esm: Any, kind: str) -> None:
        self.owner = owner
        self.esm = esm
        self.invoking = False
        self._stopped = False
        self._woken = False
        self._cond: threading.Condition = owner.stream_cond
        self._thread = threading.Thread(
            target=self._guarded, name=f"poller-{kind}-{esm.uuid[:8]}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def stop(self) -> None:
        self._stopped = True
        self._notify()

    def wake(self) -> None:
        """The mapping changed (enabled, batch size...): look again now."""
        self._woken = True
        self._notify()

    def _notify(self) -> None:
        cond = self._cond
        with cond:
            cond.notify_all()

    def _guarded(self) -> None:
        """Run the poll loop; an unexpected error is logged and polling resumes a second
        later, as Lambda's pollers keep going (a dead thread would silently stop a mapping)."""
        while not self._stopped:
            try:
                self.run()
                return
            except Exception:
                log.exception("poller for %s failed; resuming", self.esm.event_source_arn)
                self._pause(1.0)

    def run(self) -> None:
        raise NotImplementedError

    def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when stopped or woken."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopped or self._woken, timeout=seconds)
            self._woken = False

    def _wait_while_disabled(self) -> bool:
        if self.esm.enabled:
            return False
        with self._cond:
            self._cond.wait_for(lambda: self._stopped or self._woken)
            self._woken = False
        return True

    def _invoke(self, event: dict[str, Any]) -> tuple[Any, bool]:
        """Run the function synchronously, as the poller does: (result, function_error)."""
        arn = self.esm.function_arn
        try:
            name = self.owner.runtime.spec(arn).name
        except KeyError:
            name = self.owner.runtime.spec(arn.rsplit(":", 1)[0]).name  # qualified ARN
        self.invoking = True
        try:
            payload, is_error, _logs = self.owner.runtime.invoke(name, event)
        finally:
            self.invoking = False
        try:
            result = json.loads(payload) if payload else None
        except ValueError:
            return payload, True
        return result, is_error

    def _matches(self, record: dict[str, Any]) -> bool:
        filters = (self.esm.filter_criteria or {}).get("Filters") or []
        if not filters:
            return True
        pattern_cls = guard.event_pattern_class()
        return any(pattern_cls.load(f["Pattern"]).matches_event(record) for f in filters)

    def _partial_failures(self, result: Any, ids: list[str]) -> set[str] | None:
        """What ``ReportBatchItemFailures`` says failed: an empty set for full success, None
        when the response counts as a whole-batch failure (AWS's documented conditions)."""
        if "ReportBatchItemFailures" not in (self.esm.function_response_types or []):
            return set()
        if result is None or result == {}:
            return set()
        if not isinstance(result, dict):
            return None
        failures = result.get("batchItemFailures")
        if not failures:
            return set()
        failed: set[str] = set()
        for item in failures:
            identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
            if not isinstance(identifier, str) or identifier not in ids:
                return None
            failed.add(identifier)
        return failed


class SqsPoller(_Poller):
    def __init__(self, owner: Pollers, esm: Any) -> None:
        super().__init__(owner, esm, "sqs")
        self.queue_name = esm.event_source_arn.rsplit(":", 1)[1]
        self._cond = guard.sqs_queue(esm.region, self.queue_name)._messages_lock
        self._url: str | None = None

    def run(self) -> None:
        sqs = self.owner.client("sqs")
        blocked = False  # messages looked ready but none could be received (FIFO groups)
        while not self._stopped:
            if self._wait_while_disabled():
                continue
            try:
                self._url = self._url or sqs.get_queue_url(QueueName=self.queue_name)["QueueUrl"]
                records = self._receive(sqs)
            except sqs.exceptions.QueueDoesNotExist:
                log.warning("queue %s is gone; its poller stops", self.queue_name)
                return
            if records:
                self._handle(sqs, records)
            # After a batch too: the wait returns at once if more are ready, where a receive
            # with none ready would answer nothing (one wasted call per batch).
            blocked = self._wait_for_messages(pause=0.2 if blocked and not records else 0.0)

    def _receive(self, sqs: Any) -> list[dict[str, Any]]:
        """Up to the mapping's batch size, 10 a ReceiveMessage; stops at the first answer
        short of what it asked for (the queue had no more ready: asking again would answer
        nothing, one wasted call per batch)."""
        records: list[dict[str, Any]] = []
        while len(records) < self.esm.batch_size and not self._stopped:
            wanted = min(10, self.esm.batch_size - len(records))
            messages = sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=wanted,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            records.extend(self._record(m) for m in messages)
            if len(messages) < wanted:
                break
        return records

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        """The record shape Lambda gives a function for one SQS message."""
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "binaryValue": (
                        base64.b64encode(value["BinaryValue"]).decode()
                        if "BinaryValue" in value
                        else None
                    ),
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": value["DataType"],
                }
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.esm.event_source_arn,
            "awsRegion": self.esm.region,
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record

    def _handle(self, sqs: Any, records: list[dict[str, Any]]) -> None:
        matching = [r for r in records if self._matches(_filterable_sqs(r))]
        self._delete(sqs, [r for r in records if r not in matching])  # AWS drops non-matches
        if not matching:
            return
        result, error = self._invoke({"Records": matching})
        ids = [r["messageId"] for r in matching]
        failed = None if error else self._partial_failures(result, ids)
        if failed is None:
            log.info(
                "%s: batch of %d failed; back after the visibility timeout",
                self.queue_name,
                len(matching),
            )
            return
        self._delete(sqs, [r for r in matching if r["messageId"] not in failed])

    def _delete(self, sqs: Any, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)
                ],
            )

    def _wait_for_messages(self, pause: float) -> bool:
        """Sleep until a message is ready, the next in-flight one becomes visible, or the
        mapping changes. Returns True when it woke because messages looked ready."""
        queue = guard.sqs_queue(self.esm.region, self.queue_name)
        with self._cond:
            if pause:
                self._cond.wait(pause)
            while not self._stopped and not self._woken:
                ready, timeout = _scan(queue)
                if ready:
                    return True
                self._cond.wait(timeout)
            self._woken = False
        return False


def _scan(queue: Any) -> tuple[bool, float | None]:
    """(a message is ready to receive, seconds until the next one becomes visible)."""
    now = time.time() * 1000
    next_at: float | None = None
    in_flight_groups: set[str] = set()
    ready = []
    for message in list(queue._messages):
        available_at = max(message.visible_at, message.delayed_until)
        if now > available_at:
            ready.append(message)
            continue
        next_at = available_at if next_at is None else min(next_at, available_at)
        if message.group_id and message.visible_at >= now:
            in_flight_groups.add(message.group_id)
    if any(not (queue.fifo_queue and m.group_id in in_flight_groups) for m in ready):
        return True, None
    timeout = None if next_at is None else max(0.0, (next_at - now) / 1000) + 0.01
    if ready:  # blocked behind an in-flight FIFO group: look again when it may be free
        timeout = min(timeout or _IDLE_CAP_S, _IDLE_CAP_S)
    return False, timeout


def _filterable_sqs(record: dict[str, Any]) -> dict[str, Any]:
    """Lambda filters an SQS body as JSON when it is a JSON object, else as a plain string."""
    try:
        body = json.loads(record["body"])
    except ValueError:
        return record
    return {**record, "body": body} if isinstance(body, dict) else record


class StreamPoller(_Poller):
    def __init__(self, owner: Pollers, esm: Any) -> None:
        super().__init__(owner, esm, "ddb")
        self.stream_arn = esm.event_source_arn
        self.table_name = self.stream_arn.split(":", 5)[5].split("/")[1]
        streams = owner.client("dynamodbstreams")
        shard = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        self.shard_id = shard[0]["ShardId"]
        # Taken now, not in the thread, so LATEST means "after the mapping was created".
        self._iterator = streams.get_shard_iterator(
            StreamArn=self.stream_arn,
            ShardId=self.shard_id,
            ShardIteratorType=esm.starting_position or "LATEST",
        )["ShardIterator"]

    def run(self) -> None:
        # Lambda's pollers are AWS's own machinery; here they read the shard in-process. Over
        # the API each GetRecords cost ~12% of the stack's CPU under load, most of it moto
        # serializing every record's two images for botocore to parse them back.
        streams = guard.dynamodbstreams_backend(self.esm.region)
        while not self._stopped:
            if self._wait_while_disabled():
                continue
            seen = self.owner.stream_writes(self.table_name)
            response = streams.get_records(self._iterator, self.esm.batch_size)
            guard.stream_shard_iterators(self.esm.region).pop(self._iterator, None)
            self._iterator = response["NextShardIterator"]
            records = [self._record(r) for r in response.get("Records", [])]
            batch = [r for r in records if self._matches(r)]
            if batch:
                self._process(batch, 0)
            elif not records:
                self._wait_for_writes(seen)

    def _wait_for_writes(self, seen: int) -> None:
        with self._cond:
            self._cond.wait_for(
                lambda: (
                    self._stopped
                    or self._woken
                    or self.owner.stream_writes(self.table_name) != seen
                )
            )
            self._woken = False

    def _record(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The record shape Lambda gives a function (DynamoDB JSON images, epoch seconds)."""
        change = {k: _lambda_json(v) for k, v in raw["dynamodb"].items()}
        created = raw["dynamodb"].get("ApproximateCreationDateTime")
        if isinstance(created, dt.datetime):
            change["ApproximateCreationDateTime"] = int(created.timestamp())
        return {
            "eventID": raw["eventID"],
            "eventName": raw["eventName"],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.esm.region,
            "dynamodb": change,
            "eventSourceARN": self.stream_arn,
        }

    def _process(self, batch: list[dict[str, Any]], attempts: int) -> None:
        """Deliver ``batch`` until it succeeds or is discarded: the shard waits meanwhile."""
        while not self._stopped:
            result, error = self._invoke({"Records": batch})
            ids = [r["dynamodb"]["SequenceNumber"] for r in batch]
            failed = None if error else self._partial_failures(result, ids)
            if failed == set():
                return
            attempts += 1
            if failed:  # checkpoint before the first failure; retry from there
                first = min(ids.index(i) for i in failed)
                batch = batch[first:]
            elif self.esm.bisect_on_error and len(batch) > 1:
                # Each half is retried separately, with retries of its own, so a poison record
                # ends up alone and is the only one discarded.
                half = len(batch) // 2
                self._process(batch[:half], 0)
                self._process(batch[half:], 0)
                return
            retries = self.esm.max_retry_attempts
            if retries is not None and 0 <= int(retries) < attempts:
                self._discard(batch, attempts, error)
                return
            log.info("%s: batch of %d failed; retrying", self.table_name, len(batch))
            self._pause(min(30.0, 0.5 * 2 ** (attempts - 1)) * self.owner.scale())

    def _discard(self, batch: list[dict[str, Any]], attempts: int, error: bool) -> None:
        destination = ((self.esm.destination_config or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        log.warning(
            "%s: batch of %d discarded after %d attempts%s",
            self.table_name,
            len(batch),
            attempts,
            f"; described to {destination}" if destination else "",
        )
        if not destination:
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        document = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.esm.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled" if error else "",
            },
            "version": "1.0",
            "timestamp": _iso(time.time()),
            "DDBStreamBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(first["ApproximateCreationDateTime"]),
                "approximateArrivalOfLastRecord": _iso(last["ApproximateCreationDateTime"]),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        send_to_destination(self.owner.client, destination, json.dumps(document))


def send_to_destination(client: Callable[[str], Any], arn: str, body: str) -> None:
    """An on-failure destination: a standard SQS queue or SNS topic."""
    service = arn.split(":")[2]
    if service == "sqs":
        url = client("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"]
        client("sqs").send_message(QueueUrl=url, MessageBody=body)
    elif service == "sns":
        client("sns").publish(TopicArn=arn, Message=body)
    else:
        log.warning("on-failure destination %s is not supported locally", arn)


def _lambda_json(value: Any) -> Any:
    """botocore's parsed DynamoDB JSON back to the wire form (binary as base64 text)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _lambda_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lambda_json(v) for v in value]
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    return value


def _iso(epoch: float) -> str:
    return (
        dt.datetime.fromtimestamp(float(epoch), dt.UTC).isoformat(timespec="milliseconds")[:-6]
        + "Z"
    )


# ------------------------------------------------------------------------ moto patches
def install() -> None:
    """Report mapping changes and table writes to the active Pollers (once per process)."""
    backend_cls = guard.lambda_backend_class()
    if getattr(backend_cls.create_event_source_mapping, "_localaws_polled", False):
        return
    create = backend_cls.create_event_source_mapping
    update = backend_cls.update_event_source_mapping
    delete = backend_cls.delete_event_source_mapping

    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        _check_visibility_timeout(self, spec)
        _check_filter_criteria(spec)
        esm = create(self, spec)
        if (active := ACTIVE.current) is not None:
            active.mapping_created(esm)
        return esm

    def update_event_source_mapping(self: Any, mapping_uuid: str, spec: dict[str, Any]) -> Any:
        _check_filter_criteria(spec)
        esm = update(self, mapping_uuid, spec)
        if (active := ACTIVE.current) is not None:
            active.mapping_updated(mapping_uuid)
        return esm

    def delete_event_source_mapping(self: Any, mapping_uuid: str) -> Any:
        esm = delete(self, mapping_uuid)
        if (active := ACTIVE.current) is not None:
            active.mapping_deleted(mapping_uuid)
        return esm

    create_event_source_mapping._localaws_polled = True  # type: ignore[attr-defined]
    backend_cls.create_event_source_mapping = create_event_source_mapping
    backend_cls.update_event_source_mapping = update_event_source_mapping
    backend_cls.delete_event_source_mapping = delete_event_source_mapping

    hold_transaction_records()


_transaction = threading.local()  # .held: this thread's transaction's records, until it commits


def hold_transaction_records() -> None:
    """Stream records appear when their write commits, and a cancelled transaction leaves
    none (once per process; LocalCloud calls it before it serialises DynamoDB's operations,
    so a transaction's records are appended inside its lock, in commit order).

    moto appends a transaction's records to the shard as it applies each item, where a
    poller may already read them, and when the transaction is cancelled it puts back copies
    of the tables taken before it, stream shard included: the records stay on the shard the
    pollers read, and later writes go to a copy no iterator reads. Here the records are held
    until the transaction returns, and a restored table keeps its live shard."""
    shard_cls = guard.stream_shard_class()
    if getattr(shard_cls.add, "_localaws_polled", False):
        return
    add = shard_cls.add

    def add_record(self: Any, old: Any, new: Any) -> None:
        held = getattr(_transaction, "held", None)
        if held is not None:
            held.append((self, old, new))
            return
        add(self, old, new)
        if (active := ACTIVE.current) is not None:
            active.stream_written(self.table.name)

    backend_cls = guard.dynamodb_backend_class()
    transact = backend_cls.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        names = {op.get("TableName") for item in transact_items for op in item.values()}
        live = {n: self.tables[n] for n in names if n in self.tables}
        held: list[tuple[Any, Any, Any]] = []
        _transaction.held = held
        try:
            result = transact(self, transact_items)
        except BaseException:
            for name, table in live.items():
                restored = self.tables.get(name)
                if restored is not None and restored is not table:
                    restored.stream_shard = table.stream_shard
                    if table.stream_shard is not None:
                        table.stream_shard.table = restored
            raise
        finally:
            _transaction.held = None
        for shard, old, new in held:  # committed: now the stream has them
            add_record(shard, old, new)
        return result

    add_record._localaws_polled = True  # type: ignore[attr-defined]
    transact_write_items._localaws_held = True  # type: ignore[attr-defined]
    shard_cls.add = add_record
    backend_cls.transact_write_items = transact_write_items


#: Lambda's event filtering quotas: filters per mapping (the default; adjustable to 10) and
#: characters per pattern. moto accepts any number of any size.
MAX_FILTERS, MAX_PATTERN = 5, 4096


def _check_filter_criteria(spec: dict[str, Any]) -> None:
    """Refuse what Lambda refuses: more filters than the quota, a pattern too long or not a
    JSON object (moto takes them all, and the poller would fail on the first record)."""
    filters = (spec.get("FilterCriteria") or {}).get("Filters") or []
    error = guard.lambda_invalid_parameter()
    if len(filters) > MAX_FILTERS:
        raise error(f"FilterCriteria: {len(filters)} filters, more than the {MAX_FILTERS} allowed")
    for f in filters:
        pattern = f.get("Pattern", "")
        if len(pattern) > MAX_PATTERN:
            raise error(
                f"FilterCriteria: a pattern of {len(pattern)} characters (max {MAX_PATTERN})"
            )
        try:
            parsed = json.loads(pattern)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise error(f"FilterCriteria: the pattern {pattern[:80]!r} is not a JSON object")


def _check_visibility_timeout(backend: Any, spec: dict[str, Any]) -> None:
    """AWS refuses an SQS mapping whose queue hides a message for less time than the
    function may run (moto accepts it); refuse it here too."""
    arn = spec.get("EventSourceArn") or ""
    if arn.split(":")[2:3] != ["sqs"]:
        return
    sqs = guard.sqs_backend(backend.region_name)
    name = arn.rsplit(":", 1)[1]
    if name not in sqs.queues:
        return  # moto answers "Invalid EventSourceArn" itself
    attributes = sqs.get_queue_attributes(queue_name=name, attribute_names=["VisibilityTimeout"])
    visibility = int(attributes["VisibilityTimeout"])
    function = backend.get_function(spec.get("FunctionName", ""))
    if visibility < int(function.timeout):
        error = guard.lambda_invalid_parameter()
        raise error(
            f"Queue visibility timeout: {visibility} seconds is less than Function timeout: "
            f"{int(function.timeout)} seconds"
        )
