"""The fault matrix (issue 21): every Lambda Task state of both state machines under every kind
of fault Lambda and Step Functions' at-least-once semantics allow, injected with the local
engine's FIS-shaped faults (localaws/engine/faults.py). After each run the invariants hold:

- money: charged - refunded = the amount iff the booking ends CONFIRMED (0 otherwise; a
  cancellation keeps amount - refundCents, 0 under a full refund);
- rooms: held iff the booking is active (CONFIRMED);
- at most one outcome notice to the guest per outcome;
- an operations alert iff a person must act (an invariant above is broken, or the guest was
  not told how it ended);
- the execution ends (nothing stuck).

Each cell is one booking on a stack of its own (short function timeouts for the delay cells;
retry waits scaled as everywhere in the tests). The matrix is printed (run with ``-s``) and
kept in docs/saga.md, "Fault matrix". The cells mostly wait (retries, the delay cells' 2.5 s),
so each machine's rows are a test file of their own, which pytest-xdist runs side by side:
test_fault_matrix_booking.py and test_fault_matrix_cancellation.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from hotel_booking.errors import TaskNoLongerWaiting
from hotel_booking.logic.approvals import ApprovalError
from hotel_booking.logic.ids import cancellation_id_for
from hotel_booking.models import BookingStatus, Decision, PaymentStatus
from localaws.cloud import LocalCloud
from localaws.engine.faults import ADD_DELAY, DEPENDENCY_ERROR, INVOCATION_ERROR
from tests.conftest import TEMPLATE
from tests.fixtures.api_client import ApiClient
from tests.fixtures.events import guest
from tests.fixtures.saga_driver import SagaDriver, SagaTimeout

#: Every saga function's Timeout on the matrix stack (the delay cells wait past it).
TIMEOUT = 2
DELAY_MS = TIMEOUT * 1000 + 500

APPROVE, REJECT, CANCEL = "approve", "reject", "cancel"
KINDS = ("before", "after", "duplicate", "delay", "mail")
#: (machine, Task state, function, the scenario that runs it, its mail service or None)
TASKS = [
    ("booking", "ReserveRoom", "ReserveRoomFunction", APPROVE, None),
    ("booking", "RecordPayment", "RecordPaymentFunction", APPROVE, None),
    ("booking", "NotifyManager", "NotifyManagerFunction", APPROVE, "sns"),
    ("booking", "ConfirmBooking", "ConfirmBookingFunction", APPROVE, "ses"),
    ("booking", "RefundPayment", "RefundPaymentFunction", REJECT, None),
    ("booking", "ReleaseRoom", "ReleaseRoomFunction", REJECT, None),
    ("booking", "RecordFailure", "RecordFailureFunction", REJECT, "ses"),
    ("cancellation", "RefundPayment", "RefundPaymentFunction", CANCEL, None),
    ("cancellation", "ReleaseRoom", "ReleaseRoomFunction", CANCEL, None),
    ("cancellation", "FinishCancellation", "FinishCancellationFunction", CANCEL, "ses"),
]


def fault_for(kind: str, mail: str | None) -> dict[str, Any] | None:
    """The fault a kind of cell injects (None: the cell does not apply)."""
    if kind == "before":  # an outage: no attempt runs, until the retries are spent
        return {"action": INVOCATION_ERROR, "prevent_execution": True}
    if kind == "after":  # every attempt's effects land, every answer is lost
        return {"action": INVOCATION_ERROR, "prevent_execution": False}
    if kind == "duplicate":  # one lost answer: Retry runs the step a second time
        return {"action": INVOCATION_ERROR, "prevent_execution": False, "times": 1}
    if kind == "delay":  # one invocation delayed past the function's Timeout
        return {"action": ADD_DELAY, "delay_ms": DELAY_MS, "times": 1}
    if mail:  # the step's mail API fails (SES Throttling, SNS Throttled)
        error = "Throttling" if mail == "ses" else "ThrottledException"
        return {"action": DEPENDENCY_ERROR, "service": mail, "error": error}
    return None


@dataclass
class Observed:
    """What a user, the guest or support would notice once the run is over."""

    ended: str
    status: str
    charged_minus_refunded: Decimal
    expected_money: Decimal
    held: list[int]
    rooms: int
    notices: dict[str, int]
    alerts: int
    problems: list[str] = field(default_factory=list)

    def check(self) -> list[str]:
        active = self.status == BookingStatus.CONFIRMED.value
        money_ok = self.charged_minus_refunded == self.expected_money
        rooms_ok = all(h == (self.rooms if active else 0) for h in self.held)
        told = self.notices.get(self.status, 0) >= 1
        must_act = not (money_ok and rooms_ok and told)
        found = []
        if not self.ended:
            found.append("execution still running")
        if must_act and not money_ok and not self.alerts:
            found.append(f"money {self.charged_minus_refunded} != {self.expected_money}")
        if must_act and not rooms_ok and not self.alerts:
            found.append(f"rooms held {self.held} while {self.status}")
        if any(n > 1 for n in self.notices.values()):
            found.append(f"guest told twice {self.notices}")
        if must_act and not self.alerts:
            found.append("a person must act but nobody was alerted")
        if self.alerts and not must_act:
            found.append("alert although nothing is left to do")
        return found


def deploy_matrix(cloud: LocalCloud, machine: str) -> Iterator[ApiClient]:
    """A stack of its own for one machine's rows, its functions' Timeout short."""
    stack = cloud.deploy(TEMPLATE, stack_name=f"saga-matrix-{machine}")
    for spec in cloud.runtime.functions:
        if spec.name.startswith(f"{stack.name}-") or stack.name in spec.arn:
            spec.timeout = TIMEOUT  # as UpdateFunctionConfiguration(Timeout=2) would
    yield ApiClient(cloud, stack)
    cloud.runtime.clear_faults()


def run_cell(api: ApiClient, task: tuple[str, str, str, str, str | None], kind: str) -> Observed:
    machine, _state, function, scenario, mail = task
    fault = fault_for(kind, mail)
    assert fault is not None
    saga: SagaDriver = api.saga
    runtime = api.cloud.runtime
    name = api.stack.ref(function)
    hotel = api.create_hotel(rooms=3)
    who = guest(f"matrix-{machine}-{_state}-{kind}-{time.monotonic_ns()}")
    if machine == "booking" and function != "ConfirmBookingFunction":
        runtime.inject(name, **fault)
    booking_id = str(api.book(hotel, who)["bookingId"])
    if _wait_for_decision(saga, booking_id):
        if function == "ConfirmBookingFunction":
            runtime.inject(name, **fault)
        # A decision the run no longer waits for (a retry replaced the token) changes nothing.
        with contextlib.suppress(ApprovalError, TaskNoLongerWaiting):
            saga.decide(booking_id, Decision.REJECT if scenario == REJECT else Decision.APPROVE)
    ended = _ended(saga, booking_id)
    if machine == "cancellation":
        runtime.clear_faults()
        assert saga.booking(booking_id).status is BookingStatus.CONFIRMED, "no booking to cancel"
        runtime.inject(name, **fault)
        resp = api.bookings("POST", f"/bookings/{booking_id}/cancel", claims=who)
        assert resp.status == 202, resp.body
        ended = _ended_cancellation(api, booking_id)
    runtime.clear_faults()
    runtime.wait_idle()
    return _observe(api, booking_id, ended)


def _wait_for_decision(saga: SagaDriver, booking_id: str, timeout: float = 60) -> bool:
    """True once the booking awaits the manager and no step is mid-retry (the token the
    approval holds is the one the execution waits on); False if the run ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if saga._finished(booking_id) is not None:
            return False
        booking = saga.store.bookings.get(booking_id)
        if booking is not None and booking.status is BookingStatus.AWAITING_APPROVAL:
            saga.cloud.runtime.wait_idle(quiet=0.3)
            if saga._finished(booking_id) is None:
                return True
        time.sleep(0.05)
    raise SagaTimeout(f"{booking_id} neither awaits approval nor ended after {timeout}s")


def _ended(saga: SagaDriver, booking_id: str) -> str:
    try:
        done = saga.wait_done(booking_id, timeout=90)
    except SagaTimeout:
        return ""
    return str(done.get("error") or done["status"].title())


def _ended_cancellation(api: ApiClient, booking_id: str, timeout: float = 90) -> str:
    sfn = api.cloud.client("stepfunctions")
    machine = api.stack.ref("CancellationStateMachine")
    arn = machine.replace(":stateMachine:", ":execution:") + f":{cancellation_id_for(booking_id)}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desc = sfn.describe_execution(executionArn=arn)
        if desc["status"] != "RUNNING":
            return str(desc.get("error") or desc["status"].title())
        time.sleep(0.05)
    return ""


def _observe(api: ApiClient, booking_id: str, ended: str) -> Observed:
    saga: SagaDriver = api.saga
    booking = saga.booking(booking_id)
    payment = saga.payment(booking_id)
    charged = payment.amount if payment is not None else Decimal(0)
    refunded = (
        payment.amount
        if payment is not None and payment.status is PaymentStatus.REFUNDED
        else Decimal(0)
    )
    amount = booking.amount or Decimal(0)
    if booking.status is BookingStatus.CONFIRMED:
        expected = amount
    elif booking.status is BookingStatus.CANCELLED and booking.refundCents is not None:
        expected = amount - Decimal(booking.refundCents) / 100
    else:
        expected = Decimal(0)
    stored = saga.store.hotels.get(booking.hotelId)
    assert stored is not None
    request = {"checkIn": booking.checkIn.isoformat(), "checkOut": booking.checkOut.isoformat()}
    held = [stored.rooms - left for left in saga.inventory(stored, request)]
    notices: dict[str, int] = {}
    for mail in saga.guest_emails(booking_id):
        status = _status_of(mail["Subject"])
        notices[status] = notices.get(status, 0) + 1
    alerts = len(saga.messages("OperationsAlertsTopic", booking_id))
    return Observed(
        ended,
        booking.status.value,
        charged - refunded,
        expected,
        held,
        booking.rooms,
        notices,
        alerts,
    )


def _status_of(subject: str) -> str:
    for words, status in (
        ("is confirmed", BookingStatus.CONFIRMED),
        ("was declined", BookingStatus.REJECTED),
        ("expired", BookingStatus.EXPIRED),
        ("could not be completed", BookingStatus.FAILED),
        ("is cancelled", BookingStatus.CANCELLED),
    ):
        if words in subject:
            return status.value
    return subject


def check_rows(api: ApiClient, machine: str) -> None:
    """Every cell of ``machine``'s rows holds; the rows are printed as docs/saga.md shows them."""
    started = dt.datetime.now(dt.UTC)
    rows: list[tuple[str, str, dict[str, str]]] = []
    failures: list[str] = []
    for task in (t for t in TASKS if t[0] == machine):
        _machine, state, _function, _scenario, mail = task
        row: dict[str, str] = {}
        for kind in KINDS:
            if fault_for(kind, mail) is None:
                row[kind] = "-"
                continue
            observed = run_cell(api, task, kind)
            problems = observed.check()
            alert = " +alert" if observed.alerts else ""
            row[kind] = f"{'ok' if not problems else 'FAIL'} {observed.ended}{alert}"
            if problems:
                failures.append(f"{machine}/{state}/{kind}: {'; '.join(problems)} ({observed})")
        rows.append((machine, state, row))
    print(_table(rows))
    print(
        f"({len([c for _, _, r in rows for c in r.values() if c != '-'])} cells, "
        f"{(dt.datetime.now(dt.UTC) - started).total_seconds():.0f} s)"
    )
    assert not failures, "\n".join(failures)


def _table(rows: list[tuple[str, str, dict[str, str]]]) -> str:
    lines = [
        "| Machine | Task state | " + " | ".join(KINDS) + " |",
        "|---|---|" + "---|" * len(KINDS),
    ]
    for machine, state, row in rows:
        lines.append(f"| {machine} | {state} | " + " | ".join(row[k] for k in KINDS) + " |")
    return "\n".join(lines)


def rows_of(machine: str) -> tuple[Any, Callable[[ApiClient], None]]:
    """The module fixture ``matrix`` and the test of one machine's rows, for a test file of
    their own: ``matrix, test_... = rows_of("booking")``."""

    @pytest.fixture(scope="module")
    def matrix(cloud: LocalCloud) -> Iterator[ApiClient]:
        yield from deploy_matrix(cloud, machine)

    def test_rows(matrix: ApiClient) -> None:
        check_rows(matrix, machine)

    test_rows.__name__ = f"test_every_cell_of_the_{machine}_rows_holds"
    test_rows.__doc__ = f"Every cell of the {machine} machine's rows holds."
    return matrix, test_rows
