"""A local stack's data across restarts: one snapshot file, replaced atomically.

A restart deploys the template afresh (same physical names, same Cognito pool and client ids:
moto's HASH id strategy), then puts back what the previous run held: every table's items, every
bucket's objects, the user pool's users (with their ``sub``, password and groups), the topics'
subscriptions (confirmed stay confirmed; pending ones keep their confirmation token), SSM
parameters, secrets (e.g. a signing key, so links already emailed still verify), the mailbox,
and the state machines' executions with their histories.

An execution that was still running is started again under its own name with its recorded
input. That is safe for an app whose steps are idempotent by the execution's own ids (a step
run twice must be harmless on AWS too), and a step waiting for a task token hands the new one on
where the old one was, so whatever was to send the old one sends the new one.

The file is written to a temporary name beside it and renamed over the old one, so a crash
leaves either the previous snapshot or the new one, never half of one.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from localaws.compat import guard
from localaws.provision.deploy import Stack

#: Bumped whenever the snapshot's shape changes; another number is refused with a way out.
FORMAT = 1
FILE_NAME = "snapshot.json.gz"
RESET_HINT = "start clean with `make reset` (or `make run RESET=1`)"


class SnapshotUnusable(RuntimeError):
    """The saved state cannot be read back; the message says why and how to start clean."""


@dataclass(frozen=True)
class StateDir:
    """Where `make run` keeps its snapshot (``.localaws/state/`` in the checkout)."""

    path: Path

    @property
    def file(self) -> Path:
        return self.path / FILE_NAME

    def read(self) -> dict[str, Any] | None:
        """The saved state, or None when there is none yet."""
        if not self.file.exists():
            return None
        try:
            with gzip.open(self.file, "rt", encoding="utf-8") as f:
                state = json.load(f, object_hook=_decode)
        except (OSError, EOFError, ValueError) as exc:
            raise SnapshotUnusable(
                f"the saved local state {self.file} is unreadable ({exc}); {RESET_HINT}"
            ) from None
        found = state.get("format") if isinstance(state, dict) else None
        if found != FORMAT:
            raise SnapshotUnusable(
                f"the saved local state {self.file} is in format {found!r}, this version reads "
                f"format {FORMAT}; {RESET_HINT}"
            )
        return dict(state)

    def write(self, state: dict[str, Any]) -> None:
        """Write beside the file, flush to disk, then rename over it (atomic on POSIX)."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".snapshot-", dir=self.path)
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as f:
                f.write(json.dumps({**state, "format": FORMAT}, default=_encode).encode())
            with open(temp, "rb") as written:
                os.fsync(written.fileno())
            os.replace(temp, self.file)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def clear(self) -> bool:
        """Remove the snapshot (``make reset``); True if there was one."""
        existed = self.file.exists()
        self.file.unlink(missing_ok=True)
        for leftover in self.path.glob(".snapshot-*"):
            leftover.unlink(missing_ok=True)
        return existed


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(value).decode()}
    if isinstance(value, dt.datetime):
        return {"__time__": value.isoformat()}
    if isinstance(value, set):
        return sorted(value)
    if hasattr(value, "value"):  # enums (history event types)
        return value.value
    raise TypeError(f"cannot save {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "__b64__" in obj:
        return base64.b64decode(obj["__b64__"])
    if len(obj) == 1 and "__time__" in obj:
        return dt.datetime.fromisoformat(obj["__time__"])
    return obj


# -- capture ------------------------------------------------------------------------------


def capture(
    client: Any, stack: Stack, finished: dict[tuple[str, Any], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What the stack's resources hold, keyed by logical id (names can be re-derived).

    ``finished`` keeps the records of finished executions between saves (a finished execution
    changes only when redriven, which changes its stop date): their histories are read once."""
    finished = {} if finished is None else finished
    return {
        "savedAt": dt.datetime.now(dt.UTC).isoformat(),
        "stack": stack.name,
        "tables": {
            r.logical_id: _table_items(client("dynamodb"), r.ref)
            for r in stack.of_type("AWS::DynamoDB::Table")
        },
        "buckets": {
            r.logical_id: _bucket_objects(client("s3"), r.ref)
            for r in stack.of_type("AWS::S3::Bucket")
        },
        "userPools": {
            r.logical_id: _pool_users(stack.region, r.ref)
            for r in stack.of_type("AWS::Cognito::UserPool")
        },
        # Every topic, the stack's and those made at run time (e.g. one per customer), by ARN (its
        # name, account and region: the same after a restart).
        "topics": _topics(stack.region),
        "parameters": _parameters(client("ssm")),
        "secrets": _secrets(client("secretsmanager")),
        "executions": {
            r.logical_id: list(_executions(client("stepfunctions"), r.ref, finished))
            for r in stack.of_type("AWS::StepFunctions::StateMachine")
        },
    }


def _table_items(ddb: Any, table: str) -> list[dict[str, Any]]:
    pages = ddb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    return [item for page in pages for item in page["Items"]]


def _bucket_objects(s3: Any, bucket: str) -> list[dict[str, Any]]:
    objects = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            got = s3.get_object(Bucket=bucket, Key=entry["Key"])
            objects.append(
                {
                    "key": entry["Key"],
                    "body": got["Body"].read(),
                    "contentType": got.get("ContentType"),
                    "metadata": got.get("Metadata", {}),
                }
            )
    return objects


def _pool_users(region: str, pool_id: str) -> list[dict[str, Any]]:
    """Users as moto holds them: the API never returns a password, and a user made again
    through it would get a new ``sub`` (an app may store users by sub)."""
    pool = guard.cognito_user_pool(region, pool_id)
    return [
        {
            "username": u.username,
            "password": u.password,
            "status": u.status,
            "enabled": u.enabled,
            "attributes": u.attributes,
            "created": u.create_date,
            "modified": u.last_modified_date,
            "groups": sorted(g.group_name for g in u.groups),
        }
        for u in list(pool.users.values())
    ]


def _topics(region: str) -> dict[str, dict[str, Any]]:
    backend = guard.sns_backend(region)
    return {
        arn: {"name": topic.name, "subscriptions": _subscriptions(backend, arn)}
        for arn, topic in list(backend.topics.items())
    }


def _subscriptions(backend: Any, topic_arn: str) -> list[dict[str, Any]]:
    found = []
    for arn, sub in list(backend.subscriptions.items()):
        if sub.topic.arn != topic_arn:
            continue
        found.append(
            {
                "arn": arn,
                "endpoint": sub.endpoint,
                "protocol": sub.protocol,
                "attributes": dict(sub.attributes),
                "pending": bool(getattr(sub, "_localaws_pending", False)),
            }
        )
    return found


def _parameters(ssm: Any) -> list[dict[str, Any]]:
    names = [
        p["Name"]
        for page in ssm.get_paginator("describe_parameters").paginate()
        for p in page["Parameters"]
    ]
    found = []
    for start in range(0, len(names), 10):  # GetParameters takes at most 10 names
        got = ssm.get_parameters(Names=names[start : start + 10], WithDecryption=True)
        found += [
            {"name": p["Name"], "value": p["Value"], "type": p["Type"]} for p in got["Parameters"]
        ]
    return found


def _secrets(sm: Any) -> list[dict[str, Any]]:
    found = []
    for page in sm.get_paginator("list_secrets").paginate():
        for secret in page["SecretList"]:
            value = sm.get_secret_value(SecretId=secret["ARN"])
            found.append(
                {
                    "name": secret["Name"],
                    "string": value.get("SecretString"),
                    "binary": value.get("SecretBinary"),
                }
            )
    return found


def _executions(
    sfn: Any, machine_arn: str, finished: dict[tuple[str, Any], dict[str, Any]] | None = None
) -> Iterator[dict[str, Any]]:
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine_arn):
        for listed in page["executions"]:
            key = (listed["executionArn"], listed.get("stopDate"))
            if finished is not None and listed["status"] != "RUNNING" and key in finished:
                yield finished[key]
                continue
            record = _execution(sfn, listed["executionArn"])
            if finished is not None and record["status"] != "RUNNING":
                finished[(listed["executionArn"], record["stopDate"])] = record
            yield record


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    """Every event of an execution's history, oldest first, across pages."""
    pages = sfn.get_paginator("get_execution_history").paginate(
        executionArn=arn, PaginationConfig={"PageSize": 1000}
    )
    return [event for page in pages for event in page["events"]]


def _execution(sfn: Any, arn: str) -> dict[str, Any]:
    described = sfn.describe_execution(executionArn=arn)
    return {
        "name": described["name"],
        "status": described["status"],
        "input": described.get("input", "{}"),
        "output": described.get("output"),
        "error": described.get("error"),
        "cause": described.get("cause"),
        "startDate": described["startDate"],
        "stopDate": described.get("stopDate"),
        "events": _history(sfn, arn),
    }


# -- restore ------------------------------------------------------------------------------


def restore(client: Any, stack: Stack, state: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Put the saved data back into a freshly deployed stack. Returns the executions that were
    running when it was saved, (state machine ARN, record), for the caller to start again once
    everything else is up."""
    if state.get("stack") != stack.name:
        raise SnapshotUnusable(
            f"the saved local state is of stack {state.get('stack')!r}, not {stack.name!r}; "
            f"{RESET_HINT}"
        )
    for logical_id, items in state["tables"].items():
        if logical_id in stack.resources:
            _put_items(stack.region, stack.ref(logical_id), items)
    s3 = client("s3")
    for logical_id, objects in state["buckets"].items():
        if logical_id in stack.resources:
            for o in objects:
                extra = {"ContentType": o["contentType"]} if o["contentType"] else {}
                s3.put_object(
                    Bucket=stack.ref(logical_id),
                    Key=o["key"],
                    Body=o["body"],
                    Metadata=o["metadata"],
                    **extra,
                )
    for logical_id, users in state["userPools"].items():
        if logical_id in stack.resources:
            _put_users(stack.region, stack.ref(logical_id), users)
    sns_client = client("sns")
    topics = guard.sns_backend(stack.region).topics
    for arn, topic in state["topics"].items():
        if arn not in topics:  # made at run time (by the app): make it again
            sns_client.create_topic(Name=topic["name"])
        _put_subscriptions(stack.region, arn, topic["subscriptions"])
    ssm = client("ssm")
    for p in state["parameters"]:
        ssm.put_parameter(Name=p["name"], Value=p["value"], Type=p["type"], Overwrite=True)
    _put_secrets(client("secretsmanager"), state["secrets"])
    running = []
    for logical_id, executions in state["executions"].items():
        if logical_id not in stack.resources:
            continue
        machine = stack.ref(logical_id)
        for record in executions:
            if record["status"] == "RUNNING":
                running.append((machine, record))
            else:
                _put_finished_execution(stack.region, machine, record)
    return running


def _put_items(region: str, table_name: str, items: list[dict[str, Any]]) -> None:
    """Straight into moto's table with its stream detached: these writes happened before the
    restart, and their stream consumers (projection, bus events) already saw them."""
    table = guard.dynamodb_table(region, table_name)
    shard, table.stream_shard = table.stream_shard, None
    try:
        for item in items:
            table.put_item(item)
    finally:
        table.stream_shard = shard


def _put_users(region: str, pool_id: str, users: list[dict[str, Any]]) -> None:
    pool = guard.cognito_user_pool(region, pool_id)
    user_cls, flatten = guard.cognito_user_class()
    for saved in users:
        user = user_cls(pool_id, saved["username"], saved["password"], saved["status"], [])
        user.attributes = saved["attributes"]
        user.attribute_lookup = flatten(saved["attributes"])
        user.id = user.attribute_lookup.get("sub", user.id)
        user.enabled = saved["enabled"]
        user.create_date = saved["created"]
        user.last_modified_date = saved["modified"]
        pool.users[saved["username"]] = user
        for name in saved["groups"]:
            group = pool.groups.get(name)
            if group is not None:
                group.users.add(user)
                user.groups.add(group)


def _put_subscriptions(region: str, topic_arn: str, saved: list[dict[str, Any]]) -> None:
    """The saved subscriptions replace those the fresh deploy made (with their ARNs, filter
    policies and confirmation state)."""
    from localaws.aws import sns

    backend = guard.sns_backend(region)
    topic = backend.get_topic(topic_arn)
    for arn, sub in list(backend.subscriptions.items()):
        if sub.topic.arn == topic_arn:
            del backend.subscriptions[arn]
    subscription_cls = guard.sns_subscription_class()
    for s in saved:
        sub = subscription_cls(topic.account_id, topic, s["endpoint"], s["protocol"])
        sub.arn = s["arn"]
        sub.confirmed = True
        backend.subscriptions[sub.arn] = sub
        for name, value in s["attributes"].items():
            if name == "FilterPolicy":
                backend.set_subscription_attributes(sub.arn, name, value)
        sub.attributes = dict(s["attributes"])
        if s["pending"]:
            sub.SubscriptionArn = sns.PENDING
            sub._localaws_pending = True


def _put_secrets(sm: Any, secrets: list[dict[str, Any]]) -> None:
    for s in secrets:
        value = {"SecretString": s["string"]} if s["string"] is not None else {}
        if s["binary"] is not None:
            value = {"SecretBinary": s["binary"]}
        try:
            sm.put_secret_value(SecretId=s["name"], **value)
        except sm.exceptions.ResourceNotFoundException:
            sm.create_secret(Name=s["name"], **value)


class _NoCallbacks:
    def notify(self, **_: Any) -> bool:
        return False

    def heartbeat(self, **_: Any) -> bool:
        return False


class _NoMapRuns:
    def get(self, _arn: str) -> None:
        return None

    def get_all(self) -> list[Any]:
        return []


class _EndedWorker:
    """The worker of a run that ended before a restart: no task token, no map run, nothing
    to stop."""

    env = SimpleNamespace(
        callback_pool_manager=_NoCallbacks(), map_run_record_pool_manager=_NoMapRuns()
    )

    def stop(self, **_: Any) -> None:
        return None


_ENDED = _EndedWorker()


def _put_finished_execution(region: str, machine_arn: str, record: dict[str, Any]) -> None:
    """A finished execution as moto lists, describes and pages it, from its saved history."""
    backend = guard.sfn_parser_backend(region)
    machine = backend.describe_state_machine(machine_arn)
    execution_cls, status_cls = guard.sfn_execution_class()

    class Finished(execution_cls):  # type: ignore[misc, valid-type]
        def to_history_output(self) -> dict[str, Any]:
            return {"events": self._localaws_events}

    execution = Finished(
        name=record["name"],
        sm_type=machine.sm_type,
        role_arn=machine.roleArn,
        exec_arn=machine_arn.replace(":stateMachine:", ":execution:") + ":" + record["name"],
        account_id=backend.account_id,
        region_name=region,
        state_machine=machine,
        start_date=record["startDate"],
        cloud_watch_logging_session=None,
        input_data=record["input"],
        trace_header=None,
        activity_store={},
    )
    # moto asks every execution's worker about a task token (SendTask*); a run that ended
    # before the restart holds none, as any finished run holds none.
    execution.exec_worker = _ENDED
    execution.exec_status = status_cls(record["status"])
    execution.stop_date = record["stopDate"]
    execution.output = json.loads(record["output"]) if record["output"] else None
    execution.error = record["error"]
    execution.cause = record["cause"]
    execution._localaws_events = record["events"]
    machine.executions.append(execution)
