"""Approval links: signed, tamper-evident, expiring, never carrying the task token."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from hotel_booking.logic.links import LinkProblem, approval_link, check_link
from hotel_booking.models import Decision

KEY = b"k" * 48
EXPIRES = 2_000_000_000


def parts(url: str) -> tuple[str, dict[str, str]]:
    split = urlsplit(url)
    return split.path.rsplit("/", 1)[1], {k: v[0] for k, v in parse_qs(split.query).items()}


def test_a_genuine_link_checks_out() -> None:
    url = approval_link("https://api.example.com/Prod/", KEY, "apr_1", Decision.APPROVE, EXPIRES)
    assert url.startswith("https://api.example.com/Prod/approvals/apr_1?decision=approve&")
    approval_id, q = parts(url)
    assert check_link(KEY, approval_id, q["decision"], q["expires"], q["sig"], now=0) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("approval_id", "apr_2"),
        ("decision", "reject"),
        ("expires", str(EXPIRES + 3600)),
        ("sig", "AAAA"),
        ("sig", ""),
        ("decision", "maybe"),
        ("expires", "soon"),
    ],
)
def test_any_tampering_breaks_the_signature(field: str, value: str) -> None:
    approval_id, q = parts(approval_link("http://x", KEY, "apr_1", Decision.APPROVE, EXPIRES))
    values = {"approval_id": approval_id, **q}
    values[field] = value
    problem = check_link(
        KEY, values["approval_id"], values["decision"], values["expires"], values["sig"], now=0
    )
    assert problem is LinkProblem.BAD_SIGNATURE


def test_another_key_does_not_verify() -> None:
    approval_id, q = parts(approval_link("http://x", KEY, "apr_1", Decision.REJECT, EXPIRES))
    problem = check_link(b"other", approval_id, q["decision"], q["expires"], q["sig"], now=0)
    assert problem is LinkProblem.BAD_SIGNATURE


def test_a_link_past_its_expiry_is_expired() -> None:
    approval_id, q = parts(approval_link("http://x", KEY, "apr_1", Decision.APPROVE, EXPIRES))
    assert (
        check_link(KEY, approval_id, q["decision"], q["expires"], q["sig"], now=EXPIRES)
        is LinkProblem.EXPIRED
    )


def test_missing_parameters_are_refused() -> None:
    assert check_link(KEY, "apr_1", None, None, None) is LinkProblem.BAD_SIGNATURE
