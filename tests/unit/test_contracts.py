"""The contracts between files: ASL error names = exception classes, placeholders = template
substitutions, every function has a sample event, settings come from the template."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hotel_booking import errors
from hotel_booking.config import SagaSettings
from hotel_booking.dal.streams import change_of
from hotel_booking.logic.domain import FAIL_STATE_BY_REASON
from hotel_booking.logic.publishing import event_for
from hotel_booking.models.events import parse_detail
from hotel_booking.models.saga import StepEvent
from localaws.provision.deploy import DeployError, substitute_definition
from localaws.provision.template import load_template

ROOT = Path(__file__).resolve().parents[2]
ASL = (ROOT / "statemachines" / "booking.asl.json").read_text()


@pytest.fixture(scope="module")
def template() -> Any:
    return load_template(ROOT / "template.yaml", "eu-west-2")


def _error_names(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "ErrorEquals":
                found |= set(value)
            else:
                found |= _error_names(value)
    elif isinstance(node, list):
        for item in node:
            found |= _error_names(item)
    return found


def _sm_properties(template: Any) -> dict[str, Any]:
    return template.sam["Resources"]["BookingStateMachine"]["Properties"]


def test_every_custom_error_in_the_state_machine_is_an_exception_class(template: Any) -> None:
    definition = json.loads(
        substitute_definition(
            ASL, {k: "1" for k in _sm_properties(template)["DefinitionSubstitutions"]}
        )
    )
    custom = {
        name
        for name in _error_names(definition)
        if not name.startswith(("States.", "Lambda.", "Sandbox."))
    }
    assert custom <= errors.ASL_ERROR_NAMES
    for name in custom:
        assert issubclass(getattr(errors, name), errors.SagaError)


def test_every_placeholder_has_a_substitution_and_nothing_is_left_over(template: Any) -> None:
    placeholders = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", ASL))
    assert placeholders == set(_sm_properties(template)["DefinitionSubstitutions"])


def test_the_cancellation_machine_matches_its_template_resource(template: Any) -> None:
    text = (ROOT / "statemachines" / "cancellation.asl.json").read_text()
    props = template.sam["Resources"]["CancellationStateMachine"]["Properties"]
    assert props["DefinitionUri"] == "statemachines/cancellation.asl.json"
    placeholders = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", text))
    assert placeholders == set(props["DefinitionSubstitutions"])
    definition = json.loads(substitute_definition(text, dict.fromkeys(placeholders, "1")))
    custom = {
        n for n in _error_names(definition) if not n.startswith(("States.", "Lambda.", "Sandbox."))
    }
    assert custom <= errors.ASL_ERROR_NAMES


def _leads_to(states: dict[str, Any], start: str, target: str) -> bool:
    """``start`` reaches ``target`` through states that run no step (reads, Choices)."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name == target:
            return True
        if name in seen or "FunctionName" in json.dumps(states[name].get("Parameters", {})):
            continue
        seen.add(name)
        state = states[name]
        todo += [state[k] for k in ("Next", "Default") if k in state]
        todo += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
    return False


@pytest.mark.parametrize(
    ("machine", "alert_state"),
    [
        ("booking", "AlertOperations"),
        ("booking", "AlertNoticeNotSent"),
        ("cancellation", "AlertOperations"),
        ("cancellation", "AlertNoticeNotSent"),
    ],
)
def test_operations_are_paged_with_a_summary_never_with_the_state(
    machine: str, alert_state: str
) -> None:
    """The saga's state holds the payment token and the guest's name and email: every way
    into an alert passes a Pass state that keeps only what support needs, naming the
    state that failed (docs/operations.md)."""
    text = (ROOT / "statemachines" / f"{machine}.asl.json").read_text()
    states = json.loads(
        substitute_definition(text, dict.fromkeys(re.findall(r"\$\{(\w+)\}", text), "1"))
    )["States"]
    alert = states[alert_state]
    assert alert["Parameters"]["Message.$"] == "States.JsonToString($.alert)"
    into_alert = [n for n, s in states.items() if s.get("Next") == alert_state]
    assert into_alert and all(states[n]["Type"] == "Pass" for n in into_alert)
    for name in into_alert:
        summary = states[name]
        assert summary["ResultPath"] == "$.alert"
        assert set(summary["Parameters"]) == {
            "bookingId.$",
            "executionName.$",
            "executionArn.$",
            "console.$",
            "failedState",
            "error.$",
            "cause.$",
            "time.$",
            "runbook",
        }
        failed = summary["Parameters"]["failedState"]
        # Its Catch leads there, directly or after reading the record back (the pivot).
        catches = [c for c in states[failed].get("Catch", []) if _leads_to(states, c["Next"], name)]
        assert catches, f"{name} summarises {failed}, which does not lead there"
    # Nothing else reaches the alert (a Catch straight to it would send the state)
    for name, state in states.items():
        assert all(c["Next"] != alert_state for c in state.get("Catch", [])), name
        assert all(c.get("Next") != alert_state for c in state.get("Choices", [])), name
        assert state.get("Default") != alert_state, name


def test_a_missing_substitution_is_a_clear_error() -> None:
    with pytest.raises(DeployError, match="NotifyManagerFunctionArn"):
        substitute_definition(ASL, {"ReserveRoomFunctionArn": "x"})


def test_every_function_has_a_sample_event_that_parses(template: Any) -> None:
    functions = {
        logical: res["Properties"]["Handler"]
        for logical, res in template.sam["Resources"].items()
        if res["Type"] == "AWS::Serverless::Function"
    }
    assert functions
    for logical, handler in functions.items():
        path = ROOT / "events" / f"{logical}.json"
        assert path.exists(), f"events/{logical}.json is missing"
        event = json.loads(path.read_text())
        if handler.startswith("hotel_booking.api."):
            # an API Gateway REST proxy event (v1.0)
            assert {"httpMethod", "resource", "path", "requestContext"} <= set(event), logical
        elif handler == "hotel_booking.event_handlers.publish_events.lambda_handler":
            # DynamoDB Streams records of the two write tables, each one change we can read
            tables = {
                "hotel-booking-HotelsTable": "hotels",
                "hotel-booking-BookingsTable": "bookings",
            }
            changes = [change_of(record, tables) for record in event["Records"]]  # type: ignore[arg-type]
            assert {c.table for c in changes} == {"hotels", "bookings"}
            assert all(event_for(c) is not None for c in changes), logical
        elif handler == "hotel_booking.event_handlers.search_projector.lambda_handler":
            # SQS records whose bodies are events as the bus delivers them
            for record in event["Records"]:
                body = json.loads(record["body"])
                parse_detail(body["detail-type"], body["detail"])
        else:
            StepEvent.model_validate(event)


def test_saga_settings_are_exactly_what_the_template_gives_every_function(template: Any) -> None:
    variables = template.sam["Globals"]["Function"]["Environment"]["Variables"]
    env = {name: "x" for name in variables} | {
        "AWS_REGION": "eu-west-2",
        "APPROVAL_TIMEOUT_SECONDS": "60",
        "PAYMENT_RETRY_WAIT_SECONDS": "30",
        "PAYMENT_RETRY_WINDOW_SECONDS": "300",
        "FULL_REFUND_DAYS": "14",
    }
    SagaSettings.from_env(env)  # nothing missing
    with pytest.raises(ValueError, match="BOOKINGS_TABLE"):
        SagaSettings.from_env({k: v for k, v in env.items() if k != "BOOKINGS_TABLE"})


def test_a_recorded_outcome_ends_where_record_failure_would_have_ended_it() -> None:
    """RecordFailure wrote the outcome but its answer was lost: the state machine picks the
    Fail state from the recorded reason, by the same table as the logic."""
    states = json.loads(
        substitute_definition(ASL, dict.fromkeys(re.findall(r"\$\{(\w+)\}", ASL), "1"))
    )["States"]
    by_reason = {c["StringEquals"]: c["Next"] for c in states["HowDidItEndRecorded"]["Choices"]}
    assert by_reason == {r.value: s for r, s in FAIL_STATE_BY_REASON.items()}
    assert all(states[s]["Type"] == "Fail" for s in by_reason.values())
