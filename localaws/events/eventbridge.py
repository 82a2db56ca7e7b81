"""EventBridge rule delivery as AWS does it, in place of moto 5.2.5's.

moto's ``Rule.send_to_targets`` delivers for DISABLED rules, ignores ``Input`` and
``InputPath``, leaves ``account`` out of the event, and raises NotImplementedError for Lambda,
SNS and Step Functions targets; that 500 makes botocore retry PutEvents, so an SQS target on
the same rule receives three copies. Here, for each rule:

- a rule whose state is DISABLED delivers nothing;
- each target gets the event once, shaped by ``Input`` (constant JSON), ``InputPath`` (a
  JSONPath into the event), ``InputTransformer`` (moto's parser) or, by default, the event as
  AWS sends it (``version``, ``id``, ``detail-type``, ``source``, ``account``, ``time`` in ISO
  8601, ``region``, ``resources``, ``detail``);
- SQS targets are sent to at once (tests can read the queue right after PutEvents); Lambda
  (an asynchronous invocation, retried twice after a function error, 1 and 2 minutes later,
  scaled by the cloud's retry clock), SNS and Step Functions targets are delivered on the
  scheduler, after PutEvents has answered, as on AWS;
- a target that cannot be delivered to never fails PutEvents nor another target: the event
  goes to the target's ``DeadLetterConfig`` queue with AWS's message attributes (``RULE_ARN``,
  ``TARGET_ARN``, ``ERROR_CODE``, ``ERROR_MESSAGE``), else it is logged and dropped.

Archives, log groups, other buses and API destinations are still moto's.

Every event PutEvents accepts onto a custom bus is also kept in :class:`EventFeed` (the last
200, newest first) for the support console's events page: recorded as PutEvents answers, so it
costs nothing idle.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import logging
import threading
import uuid
from collections import deque
from collections.abc import Sequence
from typing import Any

from jsonpath_ng import parse as jsonpath

from localaws.compat import guard
from localaws.compat.hook import Hook
from localaws.events.delivery import Delivery
from localaws.events.scheduler import Scheduler

log = logging.getLogger("localaws.events")

ACTIVE: Hook[EventTargets] = Hook()  # the running cloud's; its patches report to it
_LAMBDA_ASYNC_RETRY_DELAYS_S = (60.0, 120.0)  # Lambda's asynchronous retries after an error
_AWS_EVENT_KEYS = (
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
)


FEED_SIZE = 200


class EventFeed:
    """The last ``size`` events put on any custom bus, newest first (a bounded ring)."""

    def __init__(self, size: int = FEED_SIZE, aggregate_keys: Sequence[str] = ()) -> None:
        #: The detail fields that name what an event is about, by preference (the app's ids).
        self.aggregate_keys = tuple(aggregate_keys)
        self._events: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def record(self, entries: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]]) -> None:
        """PutEvents' request entries and its answer, entry for entry (failed ones skipped)."""
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        kept = []
        for entry, result in zip(entries, results, strict=False):
            bus = str(entry.get("EventBusName") or "default").rsplit("/", 1)[-1]
            if "EventId" not in result or bus == "default":
                continue
            try:
                detail = json.loads(entry.get("Detail") or "{}")
            except ValueError:
                detail = {}
            detail = detail if isinstance(detail, dict) else {}
            key = next((k for k in self.aggregate_keys if detail.get(k)), None)
            kept.append(
                {
                    "eventId": result["EventId"],
                    "bus": bus,
                    "source": entry.get("Source"),
                    "detailType": entry.get("DetailType"),
                    "aggregate": key,
                    "aggregateId": str(detail[key]) if key else None,
                    "version": detail.get("version"),
                    "time": now,
                }
            )
        with self._lock:
            self._events.extend(kept)

    def recent(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(reversed(self._events))


class TargetFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class EventTargets:
    def __init__(self, delivery: Delivery, scheduler: Scheduler) -> None:
        self.runtime = delivery.runtime
        self.client = delivery.client
        self.scheduler = scheduler
        self.scale = delivery.scale
        self.feed = EventFeed()

    def start(self) -> None:
        ACTIVE.attach(self)

    def stop(self) -> None:
        ACTIVE.detach(self)

    # -- delivery -------------------------------------------------------------------------
    def send_to_targets(self, rule: Any, event: dict[str, Any], original: Any) -> None:
        if rule.state == "DISABLED":
            return
        if not rule.event_pattern.matches_event(event):
            return
        for target in list(rule.targets):
            arn = target["Arn"]
            service = arn.split(":")[2]
            try:
                if service == "sqs":
                    self._to_queue(rule, target, event)
                elif service in ("lambda", "sns", "states"):
                    payload = target_input(target, event)
                    self.scheduler.call_soon(
                        functools.partial(self._deliver_async, rule, target, event, payload)
                    )
                else:  # archive, log group, another bus, API destination: moto's own
                    single = copy.copy(rule)
                    single.targets = [target]
                    original(single, event, True)
            except Exception as exc:
                self._failed(rule, target, event, exc)

    def _to_queue(self, rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
        group_id = target.get("SqsParameters", {}).get("MessageGroupId")
        guard.sqs_backend(rule.region_name).send_message(
            queue_name=target["Arn"].rsplit(":", 1)[1],
            message_body=target_input(target, event),
            group_id=group_id,
        )

    def _deliver_async(
        self, rule: Any, target: dict[str, Any], event: dict[str, Any], payload: str
    ) -> None:
        arn = target["Arn"]
        service = arn.split(":")[2]
        try:
            if service == "lambda":
                self._invoke(rule, target, event, payload, attempt=0)
            elif service == "sns":
                self.client("sns").publish(TopicArn=arn, Message=payload)
            else:
                self.client("stepfunctions").start_execution(
                    stateMachineArn=arn, name=str(uuid.uuid4()), input=payload
                )
        except Exception as exc:
            self._failed(rule, target, event, exc)

    def _invoke(
        self, rule: Any, target: dict[str, Any], event: dict[str, Any], payload: str, attempt: int
    ) -> None:
        try:
            name = self.runtime.spec(target["Arn"]).name
        except KeyError:
            raise TargetFailed(
                "ResourceNotFoundException", f"Function not found: {target['Arn']}"
            ) from None
        _, is_error, _ = self.runtime.invoke(name, json.loads(payload))
        if not is_error:
            return
        if attempt < len(_LAMBDA_ASYNC_RETRY_DELAYS_S):
            delay = _LAMBDA_ASYNC_RETRY_DELAYS_S[attempt] * self.scale()
            retry = functools.partial(self._retry, rule, target, event, payload, attempt + 1)
            self.scheduler.call_later(delay, retry)
        else:
            log.warning("%s: asynchronous invocation failed 3 times; event dropped", name)

    def _retry(
        self, rule: Any, target: dict[str, Any], event: dict[str, Any], payload: str, attempt: int
    ) -> None:
        try:
            self._invoke(rule, target, event, payload, attempt)
        except Exception as exc:
            self._failed(rule, target, event, exc)

    def _failed(
        self, rule: Any, target: dict[str, Any], event: dict[str, Any], exc: Exception
    ) -> None:
        code = getattr(exc, "code", None) or type(exc).__name__
        dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
        log.warning(
            "rule %s could not deliver to %s (%s: %s)%s",
            rule.name,
            target["Arn"],
            code,
            exc,
            f"; event sent to {dead_letter}" if dead_letter else "; event dropped",
        )
        if not dead_letter:
            return
        attributes = {
            "RULE_ARN": rule.arn,
            "TARGET_ARN": target["Arn"],
            "ERROR_CODE": code,
            "ERROR_MESSAGE": str(exc)[:256],
        }
        guard.sqs_backend(rule.region_name).send_message(
            queue_name=dead_letter.rsplit(":", 1)[1],
            message_body=json.dumps(aws_event(event)),
            message_attributes={
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
            },
        )


def aws_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event as EventBridge hands it to a target (moto keeps extra keys, epoch time)."""
    shaped = {k: event[k] for k in _AWS_EVENT_KEYS if k in event}
    when = shaped.get("time")
    if isinstance(when, (int, float)):
        shaped["time"] = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return shaped


def target_input(target: dict[str, Any], event: dict[str, Any]) -> str:
    """What a target receives: Input, InputPath, InputTransformer, or the whole event."""
    if "Input" in target:
        return str(target["Input"])
    shaped = aws_event(event)
    if "InputPath" in target:
        matches = jsonpath(target["InputPath"]).find(shaped)
        return json.dumps(matches[0].value if matches else None)
    if "InputTransformer" in target:
        transformer = target["InputTransformer"]
        parse = guard.event_template_parser()
        result = parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event={**shaped, "ingestion-time": event.get("ingestion-time")},
        )
        return result if isinstance(result, str) else json.dumps(result)
    return json.dumps(shaped)


def install() -> None:
    rule_cls = guard.events_rule_class()
    if getattr(rule_cls.send_to_targets, "_localaws_delivery", False):
        return
    original = rule_cls.send_to_targets

    def send_to_targets(
        self: Any, original_event: dict[str, Any], transform_input: bool = True
    ) -> None:
        active = ACTIVE.current
        if active is None:
            return original(self, original_event, transform_input)
        active.send_to_targets(self, original_event, original)
        return None

    send_to_targets._localaws_delivery = True  # type: ignore[attr-defined]
    rule_cls.send_to_targets = send_to_targets

    backend_cls = guard.events_backend_class()
    put_events = backend_cls.put_events

    def recorded_put_events(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = put_events(self, events)
        if (active := ACTIVE.current) is not None:
            active.feed.record(events, results)
        return results

    backend_cls.put_events = recorded_put_events
