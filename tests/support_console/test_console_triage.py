"""Triage in the console: each execution's outcome, a "needs attention" filter (failed,
alerted, stuck), links from an execution to its booking's current status and to its
cancellation run, and a Redrive button (Step Functions' RedriveExecution)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import requests

from devstack.run import LocalStack
from hotel_booking.models import BookingStatus, Decision
from support_console.executions import Inspector
from support_console.resources import Resources
from tests.e2e.browser.conftest import DESKTOP
from tests.fixtures.saga_driver import SagaDriver
from tests.support_console.conftest import Bookings
from tests.support_console.test_console import get
from tests.support_console.test_console_cancellations import cancelled  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def alerted(driver: SagaDriver, local_stack: LocalStack) -> str:
    """A declined booking whose outcome could not be recorded: operations were alerted."""
    assert local_stack.stack is not None
    hotel = driver.hotel(rooms=2)
    request = driver.request(hotel, token="tok_chargeDeclined")
    local_stack.cloud.runtime.inject_fault(
        local_stack.stack.ref("RecordFailureFunction"), "TransientError", "table down", times=7
    )
    try:
        driver.start(request)
        done = driver.wait_done(request["bookingId"])
    finally:
        local_stack.cloud.runtime.clear_faults()
    assert done["status"] == "FAILED" and done["error"] == "OutcomeNotRecorded"
    return str(request["bookingId"])


def rows(stack: LocalStack, query: str = "") -> dict[str, dict[str, Any]]:
    listed = get(stack, f"/console/api/executions{query}").json()["executions"]
    return {r["bookingId"]: r for r in listed}


def test_the_list_shows_how_each_execution_ended(
    local_stack: LocalStack, bookings: Bookings, alerted: str
) -> None:
    found = rows(local_stack)
    assert found[bookings.confirmed]["outcome"] == "BookingConfirmed"
    assert found[bookings.compensated]["outcome"] == "PaymentDeclined"  # the guest was told
    assert found[bookings.confirmed]["attention"] is None
    assert found[bookings.compensated]["attention"] is None
    assert (
        found[alerted] | {"outcome": "OutcomeNotRecorded", "attention": "alerted"}
        == (found[alerted])
    )
    page = get(local_stack, "/console/").text
    assert "<th>Outcome</th>" in page and "PaymentDeclined" in page


def test_needs_attention_lists_only_what_needs_someone(
    local_stack: LocalStack, bookings: Bookings, alerted: str
) -> None:
    found = rows(local_stack, "?attention=1")
    assert alerted in found
    assert bookings.confirmed not in found and bookings.compensated not in found
    assert all(r["attention"] for r in found.values())
    page = get(local_stack, "/console/?attention=1").text
    assert 'aria-current="page" class="on">Needs attention</a>' in page
    assert alerted in page and bookings.confirmed not in page


def test_a_run_older_than_the_stuck_limit_needs_attention(
    local_stack: LocalStack, driver: SagaDriver
) -> None:
    assert local_stack.stack is not None
    request = driver.request(driver.hotel(rooms=1))
    driver.start(request)
    booking_id = request["bookingId"]
    driver.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    inspector = Inspector(
        local_stack.cloud.client("stepfunctions"),
        local_stack.cloud.client("dynamodb"),
        Resources(
            local_stack.stack.ref("BookingStateMachine"), local_stack.stack.ref("BookingsTable")
        ),
    )
    assert booking_id not in {
        r.booking_id for r in inspector.list_executions(attention=True).executions
    }
    inspector.stuck_after = dt.timedelta(0)
    stuck = {r.booking_id: r for r in inspector.list_executions(attention=True).executions}
    assert stuck[booking_id].attention == "stuck"
    driver.decide(booking_id, Decision.APPROVE)
    driver.wait_done(booking_id)


def test_an_execution_links_its_booking_now_and_its_cancellation_run(
    local_stack: LocalStack,
    cancelled: str,  # noqa: F811 (the fixture imported above)
) -> None:
    page = get(local_stack, f"/console/executions/{cancelled}").text
    assert '<a href="#booking-record">CANCELLED</a>' in page
    assert f'id="other-run" href="/console/cancellations/{cancelled}">SUCCEEDED</a>' in page
    back = get(local_stack, f"/console/cancellations/{cancelled}").text
    assert f'id="other-run" href="/console/executions/{cancelled}">SUCCEEDED</a>' in back
    assert 'id="redrive"' not in page  # succeeded: nothing to redrive


def test_the_redrive_button_redrives_the_failed_execution(
    local_stack: LocalStack, alerted: str, bookings: Bookings
) -> None:
    page = get(local_stack, f"/console/executions/{alerted}").text
    assert 'id="redrive"' in page and "needs attention: alerted" in page
    url = f"{local_stack.web_url}/console/executions/{alerted}/redrive"
    # A form on another site cannot redrive it
    foreign = requests.post(url, headers={"Origin": "http://evil.example"}, timeout=30)
    assert foreign.status_code == 403
    done = requests.post(
        url, headers={"Origin": local_stack.web_url}, timeout=30, allow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["Location"] == f"/console/executions/{alerted}"
    sfn = local_stack.cloud.client("stepfunctions")
    arn = get(local_stack, f"/console/api/executions/{alerted}").json()["executionArn"]
    described = sfn.describe_execution(executionArn=arn)
    assert described["redriveCount"] == 1
    events = get(local_stack, f"/console/api/executions/{alerted}").json()["events"]
    assert "ExecutionRedriven" in [e["type"] for e in events]
    # A succeeded execution: refused, and the page says why
    refused = requests.post(
        f"{local_stack.web_url}/console/executions/{bookings.confirmed}/redrive", timeout=30
    )
    assert refused.status_code == 409 and "SUCCEEDED" in refused.text


def test_triage_in_chromium(local_stack: LocalStack, alerted: str) -> None:
    from tests.support_console.test_browser import in_chromium, shot

    def steps(page: Any) -> None:
        from playwright.sync_api import expect

        page.goto(f"{local_stack.web_url}/console/")
        page.get_by_role("link", name="Needs attention").click()
        expect(page).to_have_url(re.compile(r"\?attention=1$"))
        row = page.locator("#executions tbody tr", has_text=alerted)
        expect(row.locator(".outcome")).to_contain_text("OutcomeNotRecorded")
        expect(row.locator(".attention")).to_have_text("alerted")
        shot(page, "needs-attention")
        row.get_by_role("link", name=alerted).click()
        expect(page.locator("#booking-now a")).to_have_attribute("href", "#booking-record")
        page.get_by_role("button", name="Redrive").click()
        expect(page).to_have_url(re.compile(rf"/console/executions/{alerted}$"))
        expect(page.get_by_text("ExecutionRedriven").first).to_be_attached()
        shot(page, "redriven")

    in_chromium(DESKTOP, steps, "triage")
