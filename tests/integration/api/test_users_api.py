"""The users API (group Admin), through the deployed UsersApiFunction and the stack's pool."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.fixtures.api_client import ApiClient, PoolUsers
from tests.fixtures.events import ADMIN, claims, guest


@pytest.fixture(scope="module")
def users(api: ApiClient) -> PoolUsers:
    return PoolUsers(api.cloud, api.stack)


def everyone(api: ApiClient, **query: str) -> list[dict[str, Any]]:
    """Every page of GET /users."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        resp = api.users(
            "GET",
            "/users",
            claims=ADMIN,
            query={**query, **({"nextToken": token} if token else {})},
        )
        assert resp.status == 200, resp.body
        found.extend(resp.body["items"])
        token = resp.body["nextToken"]
        if not token:
            return found


def test_an_admin_lists_users_with_their_groups_page_by_page(
    api: ApiClient, users: PoolUsers
) -> None:
    email = f"listed.{uuid.uuid4().hex[:8]}@example.com"
    sub = users.create(email, group=None, name="Lee Listed")
    users.create(f"listed.too.{uuid.uuid4().hex[:8]}@example.com", group=None)
    first = api.users("GET", "/users", claims=ADMIN, query={"limit": "1"})
    assert first.status == 200 and len(first.body["items"]) == 1 and first.body["nextToken"]
    listed = {u["email"]: u for u in everyone(api, limit="2")}
    assert listed[email] == {
        "userId": sub,
        "sub": sub,
        "email": email,
        "name": "Lee Listed",
        "status": "CONFIRMED",
        "enabled": True,
        "groups": [],
    }
    assert email not in {u["email"] for u in everyone(api, group="HotelManager")}


def test_an_admin_makes_a_user_a_hotel_manager_and_back(api: ApiClient, users: PoolUsers) -> None:
    email = f"promoted.{uuid.uuid4().hex[:8]}@example.com"
    sub = users.create(email, group=None)
    path = f"/users/{sub}/groups/HotelManager"
    added = api.users("PUT", path, claims=ADMIN)
    assert added.status == 200 and added.body["groups"] == ["HotelManager"]
    assert "HotelManager" in users.claims(email)["cognito:groups"]
    assert email in {u["email"] for u in everyone(api, group="HotelManager")}
    # Now a hotel can name them.
    assert api.create_hotel(managerEmail=email)["managerSub"] == sub

    removed = api.users("DELETE", path, claims=ADMIN)
    assert removed.status == 200 and removed.body["groups"] == []
    assert "cognito:groups" not in users.claims(email)
    assert api.users("PUT", f"/users/{sub}/groups/Admin", claims=ADMIN).status == 404
    assert api.users("PUT", "/users/no-such-user/groups/HotelManager", claims=ADMIN).status == 404


def test_an_admin_disables_and_enables_a_user(api: ApiClient, users: PoolUsers) -> None:
    email = f"disabled.{uuid.uuid4().hex[:8]}@example.com"
    sub = users.create(email, group=None)
    off = api.users("POST", f"/users/{sub}/disable", claims=ADMIN)
    assert off.status == 200 and off.body["enabled"] is False
    with pytest.raises(users.idp.exceptions.NotAuthorizedException):
        users.tokens(email)
    on = api.users("POST", f"/users/{sub}/enable", claims=ADMIN)
    assert on.status == 200 and on.body["enabled"] is True
    assert users.tokens(email)["IdToken"]


def test_an_admin_cannot_disable_themselves(api: ApiClient, users: PoolUsers) -> None:
    email = f"self.{uuid.uuid4().hex[:8]}@example.com"
    users.create(email, group="Admin")
    me = users.claims(email)
    resp = api.users("POST", f"/users/{me['sub']}/disable", claims=me)
    assert resp.status == 403
    assert users.tokens(email)["IdToken"]


def test_only_admins_may_use_the_users_api(api: ApiClient, users: PoolUsers) -> None:
    email = f"target.{uuid.uuid4().hex[:8]}@example.com"
    sub = users.create(email, group=None)
    manager = claims("m-sub", "m@example.com", "HotelManager")
    for who in (guest("nosy"), manager):
        for method, path in (
            ("GET", "/users"),
            ("PUT", f"/users/{sub}/groups/HotelManager"),
            ("DELETE", f"/users/{sub}/groups/HotelManager"),
            ("POST", f"/users/{sub}/disable"),
            ("POST", f"/users/{sub}/enable"),
        ):
            assert api.users(method, path, claims=who).status == 403, (who, method, path)
    assert api.users("GET", "/users").status == 401
    assert "cognito:groups" not in users.claims(email)


def test_a_bad_query_is_a_400(api: ApiClient) -> None:
    for query, field in (
        ({"limit": "61"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"group": "Root"}, "group"),
        ({"nextToken": "not-a-token"}, "nextToken"),
    ):
        resp = api.users("GET", "/users", claims=ADMIN, query=query)
        assert resp.status == 400, (query, resp.body)
        assert set(resp.field_errors) == {field}
