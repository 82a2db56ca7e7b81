"""Users API (group Admin): list the pool's users, add or remove HotelManager, disable or
enable a user.

Lambda entry point for UsersApiFunction: routes are thin, each one call into
``hotel_booking.logic.users``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from hotel_booking.api import _http as web
from hotel_booking.config.users import UsersApiSettings
from hotel_booking.logic import users
from hotel_booking.wiring import user_ports

SETTINGS = UsersApiSettings.from_env()
PORTS = user_ports(SETTINGS)

app = web.resolver(SETTINGS.allowed_origin, SETTINGS.api_base_path)


@app.get("/users")
def list_users() -> Response[Any]:
    return web.ok(users.list_users(PORTS, web.caller_of(app), web.query_of(app)).body())


@app.put("/users/<userId>/groups/<group>")
def add_to_group(userId: str, group: str) -> Response[Any]:
    return web.ok(users.set_group(PORTS, web.caller_of(app), userId, group, True).body())


@app.delete("/users/<userId>/groups/<group>")
def remove_from_group(userId: str, group: str) -> Response[Any]:
    return web.ok(users.set_group(PORTS, web.caller_of(app), userId, group, False).body())


@app.post("/users/<userId>/disable")
def disable_user(userId: str) -> Response[Any]:
    return web.ok(users.set_enabled(PORTS, web.caller_of(app), userId, False).body())


@app.post("/users/<userId>/enable")
def enable_user(userId: str) -> Response[Any]:
    return web.ok(users.set_enabled(PORTS, web.caller_of(app), userId, True).body())


lambda_handler = web.entry_point(app, SETTINGS.allowed_origin)
