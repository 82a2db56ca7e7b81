"""Patches of moto's Step Functions interpreter: one fix (SendTaskFailure's cause), two
speedups (one client per service, one parse per definition), and the hook that tells the
running cloud about each history event as it is recorded."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from localaws.compat import guard

#: ``(execution_arn, event) -> None``, set by the running LocalCloud (``None``: nobody listens).
history_announcer: Callable[[str, dict[str, Any]], None] | None = None


def keep_task_failure_cause() -> None:
    """moto 5.2.5 drops SendTaskFailure's ``cause`` (its response handler never reads it), so a
    manager's rejection reason would vanish from the execution. Pass it through as AWS does."""
    response_cls = guard.sfn_response_class()
    if getattr(response_cls.send_task_failure, "_localaws_fixed", False):
        return
    from moto.core.responses import EmptyResult

    def send_task_failure(self: Any) -> Any:
        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"),
            error=self._get_param("error"),
            cause=self._get_param("cause"),
        )
        return EmptyResult()

    send_task_failure._localaws_fixed = True  # type: ignore[attr-defined]
    response_cls.send_task_failure = send_task_failure


def reuse_interpreter_clients() -> None:
    """The interpreter builds a new boto3 client for every Task it runs (~10-20 ms each);
    boto3 clients are thread-safe, so build one per (service, region) and reuse it."""
    cache: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()
    for module in guard.sfn_client_factory_users():
        original = module.boto_client_for
        if getattr(original, "_localaws_cached", False):
            continue

        def cached(
            region: str, service: str, state_credentials: Any = None, __original: Any = original
        ) -> Any:
            with lock:
                key = (service, region)
                if key not in cache:
                    cache[key] = __original(region=region, service=service)
                return cache[key]

        cached._localaws_cached = True  # type: ignore[attr-defined]
        module.boto_client_for = cached


def parse_each_definition_once() -> None:
    """moto parses the ASL definition again for every execution (tens of ms with ANTLR). The
    parsed program keeps its per-execution state in the Environment (Map runs share one tree
    across threads), so one parse per definition serves every execution of it."""
    worker_cls = guard.sfn_execution_worker_class()
    if getattr(worker_cls._get_evaluation_entrypoint, "_localaws_cached", False):
        return
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    programs: dict[str, Any] = {}
    lock = threading.Lock()

    def entrypoint(self: Any) -> Any:
        definition = self._evaluation_details.state_machine_details.definition
        with lock:
            if definition not in programs:
                programs[definition] = AmazonStateLanguageParser.parse(definition)[0]
            return programs[definition]

    entrypoint._localaws_cached = True  # type: ignore[attr-defined]
    worker_cls._get_evaluation_entrypoint = entrypoint


def announce_history_events() -> None:
    """Tell ``history_announcer`` about each event an execution appends.

    moto's EventManager does not know its execution: the worker's environment is tagged with
    the execution ARN when it is built."""
    worker_cls = guard.sfn_execution_worker_class()
    manager_cls = guard.sfn_event_manager_class()
    if getattr(manager_cls._publish_history_event, "_localaws_announced", False):
        return
    build_environment = worker_cls._get_evaluation_environment
    publish = manager_cls._publish_history_event

    @functools.wraps(build_environment)
    def environment(self: Any) -> Any:
        env = build_environment(self)
        env.event_manager._localaws_execution_arn = self._evaluation_details.execution_details.arn
        return env

    @functools.wraps(publish)
    def announce(self: Any, *args: Any, **kwargs: Any) -> None:
        publish(self, *args, **kwargs)
        announcer = history_announcer
        arn = getattr(self, "_localaws_execution_arn", None)
        if announcer is None or arn is None:
            return
        event = dict(self._history_event_list[-1])
        event["type"] = getattr(event["type"], "value", event["type"])
        try:
            announcer(arn, event)
        except Exception:  # a listener must never break an execution
            logging.getLogger(__name__).exception("history listener failed")

    environment._localaws_announced = True  # type: ignore[attr-defined]
    announce._localaws_announced = True  # type: ignore[attr-defined]
    worker_cls._get_evaluation_environment = environment
    manager_cls._publish_history_event = announce
