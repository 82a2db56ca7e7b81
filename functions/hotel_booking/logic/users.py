"""Users (group Admin): list the pool's users, make them HotelManagers or not, disable them.

The groups a user is in are what API Gateway's authorizer reads from their next ID token; a
change takes effect when they sign in or refresh their session (within the hour).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from hotel_booking.logic.callers import HOTEL_MANAGER, Caller, require_admin
from hotel_booking.logic.ports import UserAdmin
from hotel_booking.logic.problems import NotAllowed, NotFound, bad_page_token, validated
from hotel_booking.models.api.users import UserList, UserQuery, UserView
from hotel_booking.models.domain import PoolUser

#: Cognito usernames: up to 128 printable characters; ours are UUIDs. Anything else is a 404.
_USER_ID = re.compile(r"^[\w.@+-]{1,128}$")
#: The one group this API changes (Admins are made with `make admin`, not from a page).
CHANGEABLE_GROUPS = frozenset({HOTEL_MANAGER})


class UserNotFound(NotFound):
    """No user with that id."""


@dataclass(frozen=True)
class UserPorts:
    users: UserAdmin


def view(user: PoolUser) -> UserView:
    return UserView.model_validate(user, from_attributes=True)


def list_users(ports: UserPorts, caller: Caller | None, query: Mapping[str, str]) -> UserList:
    require_admin(caller, "see the users")
    q = validated(UserQuery, dict(query))
    try:
        users, token = ports.users.page(q.limit, q.nextToken, q.group)
    except ValueError:
        raise bad_page_token() from None
    return UserList(items=[view(u) for u in users], nextToken=token)


def set_group(
    ports: UserPorts, caller: Caller | None, user_id: str, group: str, member: bool
) -> UserView:
    require_admin(caller, "change the users' groups")
    if group not in CHANGEABLE_GROUPS:
        raise NotFound(f"no group {group} that can be changed here")
    user = _existing(ports, user_id)
    if member:
        ports.users.add_to_group(user.userId, group)
    else:
        ports.users.remove_from_group(user.userId, group)
    return view(_existing(ports, user_id))


def set_enabled(ports: UserPorts, caller: Caller | None, user_id: str, enabled: bool) -> UserView:
    admin = require_admin(caller, "disable or enable users")
    user = _existing(ports, user_id)
    if not enabled and user.sub == admin.sub:
        raise NotAllowed("you cannot disable your own account")
    ports.users.set_enabled(user.userId, enabled)
    return view(_existing(ports, user_id))


def _existing(ports: UserPorts, user_id: str) -> PoolUser:
    user = ports.users.get(user_id) if _USER_ID.match(user_id) else None
    if user is None:
        raise UserNotFound(f"no user {user_id}")
    return user
