"""The local mailbox page (devstack/templates/mailbox.html): what a mail says is shown as text,
never run as markup; its links are links; a recipient's filter link lists that recipient's mail."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from werkzeug.test import Client

from devstack.web import WebServer
from localaws.aws.mail import Mailbox

ROOT = Path(__file__).resolve().parents[2]


class Page(HTMLParser):
    """The elements a browser would build, by tag, and the text of each mail's subject."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.subjects: list[str] = []
        self.anchors: list[tuple[str | None, str]] = []
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)
        if tag == "a":
            self.anchors.append((dict(attrs).get("href"), ""))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open[-1:] == ["strong"]:
            self.subjects.append(data)
        if self._open[-1:] == ["a"]:
            href, text = self.anchors[-1]
            self.anchors[-1] = (href, text + data)

    def elements(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def page_of(mailbox: Mailbox, query: str = "") -> Page:
    answer = Client(WebServer(ROOT / "hotel", {}, mailbox)).get(f"/mailbox/{query}")
    assert answer.status_code == 200
    return Page(answer.get_data(as_text=True))


def test_a_subject_holding_a_script_tag_shows_as_text() -> None:
    # Given a mail whose subject and body hold markup
    mailbox = Mailbox()
    subject = '<script>alert("mail")</script><img src=x onerror=alert(1)>'
    mailbox.deliver("guest@example.com", subject, "<b>not bold</b>", "arn:aws:sns:test", {})
    # When the mailbox page shows it
    page = page_of(mailbox)
    # Then the subject reads as written, and the page's only script and no image are its own
    assert page.subjects == [subject]
    assert page.elements("script") == [{"src": "/mailbox/mailbox.js", "defer": None}]
    assert page.elements("img") == [] and page.elements("b") == []


def test_links_in_a_mail_are_links_even_where_one_begins_another() -> None:
    mailbox = Mailbox()
    short, long = "http://localhost:3000/a?x=1&y=2", "http://localhost:3000/a?x=1&y=2&z=3"
    body = f"Approve: {long}\nReject: {short}\n"
    mailbox.deliver("manager@example.com", "Approve?", body, "arn:aws:sns:test", {})
    page = page_of(mailbox)
    mail_links = [(href, text) for href, text in page.anchors if href and href.startswith("http")]
    assert mail_links == [(long, long), (short, short)]


def test_a_recipients_filter_link_lists_their_mail_even_with_a_plus_in_the_address() -> None:
    # Given mail for two recipients, one with plus addressing
    mailbox = Mailbox()
    mailbox.deliver("guest+trip@example.com", "For the guest", "hi", "arn:aws:sns:test", {})
    mailbox.deliver("other@example.com", "For another", "hi", "arn:aws:sns:test", {})
    # When the guest's filter link is followed
    filters = {text: href for href, text in page_of(mailbox).anchors if href}
    href = filters["guest+trip@example.com"]
    assert href is not None
    # Then the page lists the guest's mail only
    assert page_of(mailbox, href.removeprefix("/mailbox/")).subjects == ["For the guest"]
