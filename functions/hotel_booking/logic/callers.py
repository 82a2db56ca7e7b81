"""Who is calling the API, from the claims API Gateway's Cognito authorizer hands over."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import ConfigDict

from hotel_booking.logic.problems import NotAllowed, NotSignedIn
from hotel_booking.models.base import Model

ADMIN = "Admin"
HOTEL_MANAGER = "HotelManager"


class Caller(Model):
    """A signed-in person. Public routes have no caller at all (``None``)."""

    model_config = ConfigDict(frozen=True)

    sub: str
    email: str | None = None
    email_verified: bool = False
    username: str | None = None
    groups: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.groups

    @property
    def is_manager(self) -> bool:
        return HOTEL_MANAGER in self.groups

    def manages(self, manager_sub: str | None) -> bool:
        """A hotel's manager: in the HotelManager group and the very user the Admin chose
        (``sub``, which never changes). Never the email: a user may change their own."""
        return bool(self.is_manager and manager_sub and self.sub == manager_sub)

    @property
    def name(self) -> str:
        """How a decision is signed in the records."""
        return self.email or self.username or self.sub

    @classmethod
    def from_claims(cls, claims: Mapping[str, object] | None) -> Caller | None:
        if not claims or not claims.get("sub"):
            return None
        email = claims.get("email")
        return cls(
            sub=str(claims["sub"]),
            email=str(email) if email else None,
            # A claim that is missing proves nothing: unverified.
            email_verified=str(claims.get("email_verified", "false")).lower() == "true",
            username=str(claims.get("cognito:username") or "") or None,
            groups=parse_groups(claims.get("cognito:groups")),
        )


def require_admin(caller: Caller | None, what: str) -> Caller:
    """The signed-in Admin; anyone else is told they may not do ``what``."""
    if caller is None:
        raise NotSignedIn("sign in first")
    if not caller.is_admin:
        raise NotAllowed(f"only members of the Admin group may {what}")
    return caller


_SEPARATORS = re.compile(r"[,\s]+")


def parse_groups(value: object) -> frozenset[str]:
    """``cognito:groups`` in any shape it arrives in: a list (HTTP APIs, the token itself), a
    comma-separated string (REST APIs), or ``"[Admin HotelManager]"`` (REST APIs, too)."""
    if value is None:
        return frozenset()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [str(v) for v in value]
    else:
        text = str(value).strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        items = _SEPARATORS.split(text)
    return frozenset(g for g in (i.strip().strip("\"'") for i in items) if g)
