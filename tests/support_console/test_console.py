"""The execution console over real HTTP: the list (with its status filter), one execution's
page (the picture marks the states visited and the one that failed), and the JSON API."""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
import requests

from devstack.run import LocalStack
from tests.support_console.conftest import COMPENSATED_PATH, CONFIRMED_PATH, Bookings


def get(stack: LocalStack, path: str, status: int = 200) -> requests.Response:
    resp = requests.get(f"{stack.web_url}{path}", timeout=30, allow_redirects=False)
    assert resp.status_code == status, (path, resp.status_code, resp.text[:500])
    return resp


def list_rows(page: str) -> dict[str, str]:
    """bookingId → execution status, as the list page shows them."""
    rows = re.findall(r'<tr data-status="([A-Z_]+)">(.*?)</tr>', page, re.S)
    found = {}
    for status, cells in rows:
        booking = re.search(r'href="/console/executions/([^"]+)"', cells)
        assert booking is not None
        found[booking.group(1)] = status
        assert f">{status}</span>" in cells  # the badge says it too
    return found


def state_classes(page: str) -> dict[str, set[str]]:
    """Each state's box in the picture → its CSS classes (visited, failed, end, ...)."""
    return {
        name: set(classes.split())
        for classes, name in re.findall(r'<g class="([^"]*)" data-state="([^"]+)"', page)
    }


def test_list_shows_both_bookings_with_their_status(
    local_stack: LocalStack, bookings: Bookings
) -> None:
    page = get(local_stack, "/console/").text
    rows = list_rows(page)
    assert rows[bookings.confirmed] == "SUCCEEDED"
    assert rows[bookings.compensated] == "FAILED"
    assert bookings.hotel_name in page  # the hotel, from the bookings and hotels tables
    # newest first: the compensated booking started after the confirmed one
    order = list(rows)
    assert order.index(bookings.compensated) < order.index(bookings.confirmed)


@pytest.mark.parametrize(
    ("status", "present", "absent"),
    [("FAILED", "compensated", "confirmed"), ("SUCCEEDED", "confirmed", "compensated")],
)
def test_status_filter(
    local_stack: LocalStack, bookings: Bookings, status: str, present: str, absent: str
) -> None:
    rows = list_rows(get(local_stack, f"/console/?status={status}").text)
    assert getattr(bookings, present) in rows
    assert getattr(bookings, absent) not in rows
    assert set(rows.values()) == {status}

    data = get(local_stack, f"/console/api/executions?status={status.lower()}").json()
    names = {e["bookingId"] for e in data["executions"]}
    assert getattr(bookings, present) in names and getattr(bookings, absent) not in names
    assert {e["status"] for e in data["executions"]} == {status}


def test_list_json(local_stack: LocalStack, bookings: Bookings) -> None:
    assert local_stack.stack is not None
    data = get(local_stack, "/console/api/executions").json()
    assert data["stateMachineArn"] == local_stack.stack.ref("BookingStateMachine")
    rows = {e["bookingId"]: e for e in data["executions"]}
    confirmed = rows[bookings.confirmed]
    assert confirmed["status"] == "SUCCEEDED"
    assert confirmed["hotelName"] == bookings.hotel_name
    assert confirmed["startDate"] < confirmed["stopDate"]
    assert confirmed["durationSeconds"] > 0
    assert rows[bookings.compensated]["status"] == "FAILED"


def test_list_pages_with_next_token(local_stack: LocalStack, bookings: Bookings) -> None:
    first = get(local_stack, "/console/api/executions?limit=1").json()
    assert first["count"] == 1 and first["nextToken"]
    token = urllib.parse.quote(first["nextToken"], safe="")
    second = get(local_stack, f"/console/api/executions?limit=1&nextToken={token}").json()
    assert second["count"] == 1
    assert second["executions"][0]["bookingId"] != first["executions"][0]["bookingId"]
    page = get(local_stack, "/console/?limit=1").text
    assert "Older executions" in page and "nextToken=" in page


def test_compensated_execution_page_marks_path_and_failed_state(
    local_stack: LocalStack, bookings: Bookings
) -> None:
    page = get(local_stack, f"/console/executions/{bookings.compensated}").text
    classes = state_classes(page)
    visited = {name for name, css in classes.items() if "visited" in css}
    assert visited == set(COMPENSATED_PATH)
    assert "failed" in classes["RecordPayment"]  # where the card was declined
    assert "end-fail" in classes["PaymentDeclined"]  # the Fail state it ended in
    assert "visited" not in classes["NotifyManager"]
    assert {n for n, css in classes.items() if "failed" in css} == {"RecordPayment"}

    # the path of states, in order
    path = re.search(r'<ol class="path" id="path">(.*?)</ol>', page, re.S)
    assert path is not None
    assert re.findall(r"<li[^>]*>([A-Za-z]+)", path.group(1)) == COMPENSATED_PATH
    # the event history with the error, and the booking record beside it
    assert "LambdaFunctionFailed" in page
    assert "PaymentDeclined: card declined by the issuer" in page
    assert "PAYMENT_DECLINED" in page and "RELEASED" in page
    # the picture is well-formed SVG
    svg = re.search(r"<svg .*?</svg>", page, re.S)
    assert svg is not None
    ET.fromstring(svg.group(0))


def test_confirmed_execution_page(local_stack: LocalStack, bookings: Bookings) -> None:
    page = get(local_stack, f"/console/executions/{bookings.confirmed}").text
    classes = state_classes(page)
    assert {n for n, css in classes.items() if "visited" in css} == set(CONFIRMED_PATH)
    assert "end" in classes["BookingConfirmed"]
    assert not [n for n, css in classes.items() if "failed" in css]
    assert "CONFIRMED" in page
    assert "TaskSubmitted" in page and "waiting for the task token" in page


def test_execution_json(local_stack: LocalStack, bookings: Bookings) -> None:
    data = get(local_stack, f"/console/api/executions/{bookings.compensated}").json()
    assert [v["name"] for v in data["path"]] == COMPENSATED_PATH
    assert data["failedState"] == "RecordPayment"
    assert data["endState"] == "PaymentDeclined"
    assert data["error"] == "PaymentDeclined"
    assert data["booking"]["status"] == "FAILED"
    assert data["booking"]["reason"] == "PAYMENT_DECLINED"
    assert data["booking"]["amount"] == "240.00"
    failed = next(e for e in data["events"] if e["type"] == "LambdaFunctionFailed")
    assert failed["state"] == "RecordPayment"
    assert failed["details"]["error"] == "PaymentDeclined"
    assert "card declined" in failed["details"]["cause"]
    entered = [e for e in data["events"] if e["type"].endswith("StateEntered")]
    assert all("input" in e["details"] for e in entered)


def test_unknown_execution_and_bad_requests(local_stack: LocalStack) -> None:
    assert "Not found" in get(local_stack, "/console/executions/no-such-booking", 404).text
    assert get(local_stack, "/console/api/executions/no-such-booking", 404).json()["message"]
    get(local_stack, "/console/executions/not%20a%20valid%20name", 404)
    assert "unknown status" in get(local_stack, "/console/?status=SIDEWAYS", 400).text
    get(local_stack, "/console/api/executions?limit=0", 400)
    get(local_stack, "/console/api/executions?limit=lots", 400)
    assert get(local_stack, "/console", 302).headers["Location"] == "/console/"
    resp = requests.post(f"{local_stack.web_url}/console/", timeout=10)
    assert resp.status_code == 405
    # the rest of the web server is untouched by the mount
    assert get(local_stack, "/mailbox/").status_code == 200


def test_stylesheet_and_scripts_are_static_files(
    local_stack: LocalStack, bookings: Bookings
) -> None:
    page = get(local_stack, f"/console/executions/{bookings.compensated}").text
    assert "<style>" not in page
    assert '<link rel="stylesheet" href="/console/static/console.css">' in page
    assert '<script src="/console/static/execution.js"' in page
    assert 'data-running="false"' in page
    css = get(local_stack, "/console/static/console.css")
    assert css.headers["Content-Type"].startswith("text/css")
    assert ".badge{" in css.text
    # revalidated, not refetched: the browser's copy is still good
    again = requests.get(
        f"{local_stack.web_url}/console/static/console.css",
        headers={"If-None-Match": css.headers["ETag"]},
        timeout=10,
    )
    assert again.status_code == 304
    assert "find.addEventListener" in get(local_stack, "/console/static/list.js").text
    get(local_stack, "/console/static/no-such.css", 404)
    get(local_stack, "/console/static/..%2Fapp.py", 404)


def test_what_a_page_shows_is_escaped(local_stack: LocalStack) -> None:
    page = get(local_stack, "/console/executions/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    bad = get(local_stack, "/console/?status=%3Cb%3E", 400).text
    assert "&lt;B&gt;" in bad and "<B>" not in bad


def test_the_list_shows_the_faults_in_force(local_stack: LocalStack) -> None:
    """Injected faults (python -m localaws faults) are shown above the executions."""
    assert local_stack.stack is not None
    runtime = local_stack.cloud.runtime
    assert 'id="faults"' not in get(local_stack, "/console/").text
    fault = runtime.inject(
        local_stack.stack.ref("ConfirmBookingFunction"),
        "dependency-error",
        service="ses",
        error="Throttling",
        duration="PT3M",
    )
    try:
        page = get(local_stack, "/console/").text
        assert 'id="faults"' in page
        assert fault.id in page and "ConfirmBookingFunction" in page
        assert "ses:* → Throttling" in page
    finally:
        runtime.clear_faults()
    assert 'id="faults"' not in get(local_stack, "/console/").text
