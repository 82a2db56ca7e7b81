"""`python -m support_console executions`, run in-process against the local stack's endpoint."""

from __future__ import annotations

import json
import re

import pytest

from devstack.run import LocalStack
from support_console.cli import main
from tests.support_console.conftest import COMPENSATED_PATH, CONFIRMED_PATH, Bookings


def run(capsys: pytest.CaptureFixture[str], stack: LocalStack, *args: str) -> tuple[int, str]:
    code = main([*args, "--endpoint", stack.aws_url])
    out, err = capsys.readouterr()
    return code, out + err


def row(output: str, booking_id: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(booking_id + " "))
    return re.split(r"\s{2,}", line.strip())


def test_list_shows_both_with_status_and_hotel(
    capsys: pytest.CaptureFixture[str], local_stack: LocalStack, bookings: Bookings
) -> None:
    code, out = run(capsys, local_stack, "list")
    assert code == 0, out
    header = out.splitlines()[0].split()
    assert header[:3] == ["BOOKING", "STATUS", "HOTEL"]
    confirmed = row(out, bookings.confirmed)
    assert confirmed[1] == "SUCCEEDED"
    assert confirmed[2] == bookings.hotel_name
    assert row(out, bookings.compensated)[1] == "FAILED"
    assert confirmed[-1] == "BookingConfirmed"
    assert row(out, bookings.compensated)[-1] == "PaymentDeclined"  # no attention needed
    assert re.search(r"\d+ executions?, newest first", out)
    code, out = run(capsys, local_stack, "list", "--attention", "--limit", "1000")
    assert code == 0 and bookings.confirmed not in out and bookings.compensated not in out


def test_list_filters_by_status_and_limits(
    capsys: pytest.CaptureFixture[str], local_stack: LocalStack, bookings: Bookings
) -> None:
    code, out = run(capsys, local_stack, "list", "--status", "failed", "--limit", "1000")
    assert code == 0
    assert bookings.compensated in out and bookings.confirmed not in out
    assert {line.split()[1] for line in out.splitlines()[2:-1]} == {"FAILED"}

    code, out = run(capsys, local_stack, "list", "--limit", "1")
    assert code == 0
    assert len(out.splitlines()) == 4  # header, rule, one row, footer
    assert "more: raise --limit" in out


def test_show_confirmed(
    capsys: pytest.CaptureFixture[str], local_stack: LocalStack, bookings: Bookings
) -> None:
    code, out = run(capsys, local_stack, "show", bookings.confirmed)
    assert code == 0, out
    assert f"Execution {bookings.confirmed}" in out
    assert re.search(r"Status\s+SUCCEEDED", out)
    assert " → ".join(CONFIRMED_PATH) in out
    assert "Failure" not in out
    assert re.search(r"status\s+CONFIRMED", out)  # the booking record
    assert "TaskSubmitted" in out and "ExecutionSucceeded" in out
    assert "console.aws.amazon.com/states/home?region=eu-west-2#/v2/executions/details/" in out


def test_show_compensated(
    capsys: pytest.CaptureFixture[str], local_stack: LocalStack, bookings: Bookings
) -> None:
    code, out = run(capsys, local_stack, "show", bookings.compensated)
    assert code == 0, out
    assert re.search(r"Status\s+FAILED", out)
    marked = [f"{s} ✗" if s == "RecordPayment" else s for s in COMPENSATED_PATH]
    assert " → ".join(marked) in out
    assert re.search(r"Failed state\s+RecordPayment", out)
    assert re.search(r"Ended in\s+PaymentDeclined", out)
    assert re.search(r"Error\s+PaymentDeclined", out)
    assert re.search(r"Cause\s+card declined by the issuer\s*$", out, re.M)
    assert re.search(r"status\s+FAILED", out) and re.search(r"reason\s+PAYMENT_DECLINED", out)
    assert re.search(r"reservation\s+RELEASED", out)
    steps = re.findall(r"^\s+\d\s+(\w+)\s+(Task|Choice|Fail)\s", out, re.M)
    assert [name for name, _ in steps] == COMPENSATED_PATH
    assert re.search(r"LambdaFunctionFailed\s+RecordPayment\s+PaymentDeclined: card declined", out)


def test_show_json_and_unknown(
    capsys: pytest.CaptureFixture[str], local_stack: LocalStack, bookings: Bookings
) -> None:
    code, out = run(capsys, local_stack, "show", bookings.compensated, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["failedState"] == "RecordPayment"
    assert [v["name"] for v in data["path"]] == COMPENSATED_PATH

    code, out = run(capsys, local_stack, "show", "no-such-booking")
    assert code == 1 and "no execution named 'no-such-booking'" in out


def test_finding_the_resources(
    capsys: pytest.CaptureFixture[str], local_stack: LocalStack, bookings: Bookings
) -> None:
    assert local_stack.stack is not None
    name = local_stack.stack.name
    code, out = run(capsys, local_stack, "list", "--stack-name", name)
    assert code == 0 and bookings.confirmed in out

    code, out = run(capsys, local_stack, "list", "--stack-name", "no-such-stack")
    assert code == 2 and "no single booking state machine for stack 'no-such-stack'" in out

    code, out = run(
        capsys,
        local_stack,
        "show",
        bookings.confirmed,
        "--state-machine-arn",
        local_stack.stack.ref("BookingStateMachine"),
        "--bookings-table",
        local_stack.stack.ref("BookingsTable"),
    )
    assert code == 0 and "CONFIRMED" in out


def test_errors_are_one_line_not_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--endpoint", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: could not read from http://127.0.0.1:9 (is `make run` running?)")

    assert main(["list", "--aws", "--region", "eu-west-2"]) == 2
    assert "pass --stack-name" in capsys.readouterr().err

    with pytest.raises(SystemExit):
        main(["list", "--status", "SIDEWAYS"])
