"""The Cognito user pool through its admin API: find a manager by email, list and change users.

Limits (Cognito API reference; moto enforces none of them, docs/aws-differences.md):
``ListUsers`` and ``ListUsersInGroup`` return at most 60 users a call (``Limit`` above 60 is an
``InvalidParameterException``); a ``ListUsers`` filter names one attribute, ``=`` or ``^=``,
with the value in double quotes and ``"`` and ``\\`` escaped; these calls share the pool's
request-rate quotas (``UserList``, ``UserRead`` and ``UserUpdate`` categories), so a page of
users costs one ``ListUsers`` plus the group listings, never one call per user.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from hotel_booking.models.domain import PoolUser

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

#: Cognito's page size limit for ListUsers and ListUsersInGroup.
MAX_PAGE = 60
#: The groups the product knows; a user's groups are read from their member lists.
GROUPS = ("Admin", "HotelManager")
_NOT_FOUND = "UserNotFoundException"
#: What a pagination token the pool did not make gets: AWS's code, and moto's own.
_BAD_TOKEN = frozenset({"InvalidParameterException", "InvalidToken"})


def email_filter(email: str) -> str:
    """``email = "..."`` with the value escaped as the ListUsers filter grammar wants."""
    value = email.replace("\\", "\\\\").replace('"', '\\"')
    return f'email = "{value}"'


class CognitoUsers:
    def __init__(self, client: CognitoIdentityProviderClient, user_pool_id: str) -> None:
        self._idp = client
        self.pool_id = user_pool_id

    # -- read ------------------------------------------------------------------------------
    def find_by_email(self, email: str) -> PoolUser | None:
        """The user whose email is ``email`` (as given, then lower-cased), with their groups."""
        for candidate in dict.fromkeys((email, email.lower())):
            found = self._idp.list_users(
                UserPoolId=self.pool_id, Filter=email_filter(candidate), Limit=2
            )["Users"]
            if len(found) == 1:
                return self._with_groups(found[0])
        return None

    def get(self, user_id: str) -> PoolUser | None:
        try:
            user = self._idp.admin_get_user(UserPoolId=self.pool_id, Username=user_id)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == _NOT_FOUND:
                return None
            raise
        return self._with_groups({**user, "Attributes": user.get("UserAttributes", [])})

    def page(
        self, limit: int, token: str | None, group: str | None
    ) -> tuple[list[PoolUser], str | None]:
        """One page of users (all, or one group's), each with the groups they are in."""
        args: dict[str, Any] = {"UserPoolId": self.pool_id, "Limit": min(limit, MAX_PAGE)}
        if group is None:
            if token:
                args["PaginationToken"] = token
            resp = self._call_with_token(self._idp.list_users, args)
            users, next_token = resp["Users"], resp.get("PaginationToken")
        else:
            if token:
                args["NextToken"] = token
            resp = self._call_with_token(
                self._idp.list_users_in_group, {**args, "GroupName": group}
            )
            users, next_token = resp["Users"], resp.get("NextToken")
        members = {g: self._members(g) for g in GROUPS}
        return [
            _user(u, frozenset(g for g, names in members.items() if u["Username"] in names))
            for u in users
        ], next_token or None

    # -- change ----------------------------------------------------------------------------
    def add_to_group(self, user_id: str, group: str) -> None:
        self._idp.admin_add_user_to_group(
            UserPoolId=self.pool_id, Username=user_id, GroupName=group
        )

    def remove_from_group(self, user_id: str, group: str) -> None:
        self._idp.admin_remove_user_from_group(
            UserPoolId=self.pool_id, Username=user_id, GroupName=group
        )

    def set_enabled(self, user_id: str, enabled: bool) -> None:
        call = self._idp.admin_enable_user if enabled else self._idp.admin_disable_user
        call(UserPoolId=self.pool_id, Username=user_id)

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _call_with_token(
        call: Callable[..., Mapping[str, Any]], args: dict[str, Any]
    ) -> dict[str, Any]:
        """A listing call; a pagination token Cognito refuses is the caller's ValueError."""
        try:
            return dict(call(**args))
        except ClientError as exc:
            given = "PaginationToken" in args or "NextToken" in args
            if given and exc.response["Error"]["Code"] in _BAD_TOKEN:
                raise ValueError("the pagination token was refused") from None
            raise

    def _with_groups(self, user: Mapping[str, Any]) -> PoolUser:
        groups: set[str] = set()
        args: dict[str, Any] = {"UserPoolId": self.pool_id, "Username": user["Username"]}
        while True:
            resp = self._idp.admin_list_groups_for_user(**args, Limit=MAX_PAGE)
            groups.update(g["GroupName"] for g in resp["Groups"])
            if not resp.get("NextToken"):
                return _user(user, frozenset(groups))
            args["NextToken"] = resp["NextToken"]

    def _members(self, group: str) -> set[str]:
        names: set[str] = set()
        args: dict[str, Any] = {"UserPoolId": self.pool_id, "GroupName": group, "Limit": MAX_PAGE}
        while True:
            resp = self._idp.list_users_in_group(**args)
            names.update(u["Username"] for u in resp["Users"])
            if not resp.get("NextToken"):
                return names
            args["NextToken"] = resp["NextToken"]


def _user(user: Mapping[str, Any], groups: frozenset[str]) -> PoolUser:
    attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
    return PoolUser(
        userId=user["Username"],
        sub=attributes.get("sub", user["Username"]),
        email=attributes.get("email"),
        emailVerified=attributes.get("email_verified", "false").lower() == "true",
        name=attributes.get("name"),
        status=str(user.get("UserStatus", "UNKNOWN")),
        enabled=bool(user.get("Enabled", True)),
        groups=groups,
    )
