"""The pages of support staff and operators, and the local mailbox, at 0 axe-core violations,
desktop and phone: the execution list (all, needing attention), one execution, the alarms,
the bus events, the search tasks, and the mailbox with mail in it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.browser import axe
from tests.e2e.browser.conftest import DESKTOP, PHONE, Browsing, settle, unique


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_console_and_mailbox_pages(
    browsing: Browsing,
    viewport: dict[str, int],
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Axe Ops Inn"), "Cork")
    booking = book(hotel, 40)
    web = browsing.stack.web_url
    found: dict[str, list[str]] = {}
    for state, path in (
        ("executions", "/console/"),
        ("needing attention", "/console/?attention=1"),
        ("one execution", f"/console/executions/{booking['bookingId']}"),
        ("alarms", "/console/alarms"),
        ("bus events", "/console/events"),
        ("search tasks", "/console/services"),
        ("mailbox", "/mailbox/"),
    ):
        page = browsing.new_page(viewport)
        page.context.add_init_script(axe.source())
        response = page.goto(web + path)
        assert response is not None and response.status == 200, (state, path)
        page.locator("h1").first.wait_for()
        settle(page)
        problems = axe.violations(page)
        if problems:
            found[state] = problems
    assert found == {}, "\n".join(
        f"{state}:\n  " + "\n  ".join(lines) for state, lines in found.items()
    )
