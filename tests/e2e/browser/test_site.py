"""What every page shares: the nav per role, who may see what, labels, keyboard, phone width."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import PHONE, Browsing, save_page_shot, settle, unique

PAGES = [
    "index.html",
    "login.html",
    "signup.html",
    "confirm.html",
    "forgot.html",
    "bookings.html",
    "manager.html",
    "admin.html",
    "addHotel.html",
]


def nav_links(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("nav ul.links a").all_inner_texts()]


@pytest.mark.parametrize(
    ("email", "name", "links", "landing"),
    [
        ("guest@example.com", "Gus Guest", ["Find a hotel", "My bookings"], "My bookings"),
        ("manager@example.com", "Manny Manager", ["Find a hotel", "Approvals"], "Approvals"),
        (
            "admin@example.com",
            "Ada Admin",
            ["Find a hotel", "Manage hotels", "Add a hotel", "Users"],
            "Manage hotels",
        ),
    ],
)
def test_the_nav_shows_who_is_signed_in_and_their_links(
    browsing: Browsing, email: str, name: str, links: list[str], landing: str
) -> None:
    page = browsing.signed_in(email)  # each role lands on its work
    expect(page.get_by_test_id("user-name")).to_have_text(name)
    assert nav_links(page) == links
    expect(page.locator('nav a[aria-current="page"]')).to_have_text(landing)
    # One line at 1280 px: the nav is as tall as one link.
    nav = page.locator("#site-header nav").bounding_box()
    link = page.locator("nav ul.links a").first.bounding_box()
    assert nav is not None and link is not None and nav["height"] < 2 * link["height"] + 40

    # The account menu: email and roles inside, Sign out last.
    menu = page.locator("details.account-menu")
    menu.locator("summary").click()
    expect(menu).to_contain_text(email)
    expect(menu.get_by_role("link", name="My bookings")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="My bookings")).to_be_hidden()
    menu.locator("summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/index\.html$"))
    assert nav_links(page) == ["Find a hotel"]
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def test_pages_for_signed_in_users_send_visitors_to_sign_in_and_back(browsing: Browsing) -> None:
    page = browsing.new_page()
    page.goto(browsing.url("manager.html"))
    page.wait_for_url(re.compile(r"/login\.html\?next=manager\.html$"))
    page.get_by_label("Email").fill("manager@example.com")
    page.get_by_label("Password").fill(browsing.stack.password)
    page.locator("#login-submit").click()
    page.wait_for_url(re.compile(r"/manager\.html$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bookings awaiting approval")


@pytest.mark.parametrize("target", ["admin.html", "addHotel.html", "manager.html"])
def test_a_guest_is_told_a_role_page_is_not_for_them(browsing: Browsing, target: str) -> None:
    page = browsing.signed_in("guest@example.com")
    page.goto(browsing.url(target))
    expect(page.get_by_role("heading", level=1)).to_have_text("Not available to you")
    expect(page.locator("main")).to_contain_text("You are signed in as guest@example.com")


def test_every_field_has_a_label_and_the_skip_link_comes_first(
    browsing: Browsing, make_hotel: Callable[..., dict[str, Any]]
) -> None:
    hotel = make_hotel(unique("Label Check"), "Ennis")
    page = browsing.signed_in("admin@example.com")
    unlabelled_script = """() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => el.type !== 'hidden')
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map(el => el.id || el.name)"""
    for target in [*PAGES, f"hotel.html?id={hotel['hotelId']}"]:
        page.goto(browsing.url(target))
        settle(page)
        assert page.evaluate(unlabelled_script) == [], target
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link", target


def test_the_search_works_from_the_keyboard(
    browsing: Browsing, make_hotel: Callable[..., dict[str, Any]]
) -> None:
    hotel = make_hotel(unique("Keyboard Lodge"), "Westport")
    page = browsing.new_page()
    page.goto(browsing.url("index.html"))
    page.get_by_label("City").focus()
    page.keyboard.type("Westport")
    # The search page asks the search service (config.json's searchUrl, its HTTP API). An Enter
    # pressed before the page's script has started submits the form natively (the page comes
    # back with the criteria in its URL, and searches with them): wait for the search itself.
    search_url = browsing.stack.search_url + "?"
    with page.expect_response(
        lambda r: r.url.startswith(search_url) and "city=Westport" in r.url
    ) as answered:
        page.keyboard.press("Enter")
    assert answered.value.url.startswith(search_url)
    assert answered.value.status == 200
    # The Westport search has answered (not the list of every hotel the page loads first).
    expect(page.locator("#results-heading")).to_have_text("1 hotel found")
    link = page.get_by_role("link", name=hotel["name"])
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(hotel["name"])
    expect(page.get_by_role("link", name="Sign in to book")).to_be_visible()


def test_pages_fit_a_phone(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Narrow Street Hotel"), "Cobh")
    book(hotel, 35)
    pages = {
        "admin@example.com": ["admin.html", "addHotel.html"],
        "manager@example.com": ["manager.html"],
        "guest@example.com": ["index.html", f"hotel.html?id={hotel['hotelId']}", "bookings.html"],
    }
    for email, targets in pages.items():
        page = browsing.signed_in(email, viewport=PHONE)
        for target in targets:
            page.goto(browsing.url(target))
            settle(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{target} is {width}px wide on a phone"
            save_page_shot(page, "phone-" + target.split(".")[0])
    visitor = browsing.new_page(viewport=PHONE)
    for target in ["login.html", "signup.html", "confirm.html", "forgot.html", "index.html"]:
        visitor.goto(browsing.url(target))
        settle(visitor)
        width = visitor.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{target} is {width}px wide on a phone"
        save_page_shot(visitor, "phone-visitor-" + target.split(".")[0])


def test_the_search_page_finds_by_name_sorts_and_shows_more(
    browsing: Browsing, make_hotel: Callable[..., dict[str, Any]]
) -> None:
    town = unique("Tralee").replace(" ", "")
    cheap = make_hotel(unique("Bayside Inn"), town, pricePerNight="60.00", stars="2")
    dear = make_hotel(unique("Bayside Grand"), town, pricePerNight="240.00", stars="5")
    other = make_hotel(unique("Harbour Rest"), town, pricePerNight="120.00", stars="4")
    page = browsing.new_page()
    page.goto(browsing.url("index.html"))
    page.get_by_label("City").fill(town.upper()[:-1])  # a prefix, in capitals
    page.get_by_label("Hotel name").fill("bayside")
    page.get_by_label("Sort by").select_option("price")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_have_text("2 hotels found")
    names = page.locator("#hotel-list h3")
    expect(names).to_have_text([cheap["name"], dear["name"]])

    # More hotels than a page holds: "Show more hotels" brings the next page (nextToken).
    page.goto(browsing.url(f"index.html?city={town}&sort=stars"))
    expect(names).to_have_text([dear["name"], other["name"], cheap["name"]])
    page.evaluate("() => history.replaceState(null, '', '?')")
    # The page searches through the search service's searchUrl (GET /hotels without one).
    page.route(
        re.compile(r"/(search|hotels)\?"),
        lambda route: (
            route.continue_(url=route.request.url + "&limit=2")
            if "limit=" not in route.request.url
            else route.continue_()
        ),
    )
    page.get_by_role("button", name="Search").click()
    expect(names).to_have_text([dear["name"], other["name"]])
    expect(page.locator("#results-heading")).to_have_text("2+ hotels found")
    page.get_by_role("button", name="Show more hotels").click()
    expect(names).to_have_text([dear["name"], other["name"], cheap["name"]])
    expect(page.get_by_role("button", name="Show more hotels")).to_be_hidden()
