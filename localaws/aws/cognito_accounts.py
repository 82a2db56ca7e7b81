"""Cognito's account rules that moto 5.2.5 leaves out (issue 21: an attack on ``make run``).

- **Case-insensitive usernames.** A pool made with ``UsernameConfiguration: {CaseSensitive:
  false}`` (ours) matches a username, and an email used as the username, whatever its case:
  ``ADMIN@example.com`` signs in as ``admin@example.com`` and cannot sign up a second account.
  moto compares exactly.
- **A disabled user cannot refresh.** ``REFRESH_TOKEN_AUTH`` for a disabled user fails with
  ``NotAuthorizedException: User is disabled.``; moto went on issuing ID tokens.
- **A refresh after an email change works.** moto's refresh token remembers the email the user
  signed in with and looked the user up by it: once the email changed, a 500.
- **Undeclared custom attributes are refused.** ``custom:*`` attributes that the pool's schema
  does not declare are ``InvalidParameterException`` on SignUp, AdminCreateUser and the
  attribute updates; moto stored them and put them into ID tokens.

Every moto name used here is looked up through :mod:`localaws.compat.guard`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from localaws.compat import guard

#: Refresh token -> the key of the user it was issued to (moto keys users by their username,
#: a UUID in an email-as-username pool, which no attribute change moves).
_TOKEN_OWNER = "_localaws_token_owner"


def install() -> None:
    """Wrap moto's pool and backend (once per process)."""
    pool_cls = guard.cognito_user_pool_class()
    backend_cls = guard.cognito_backend_class()
    if getattr(pool_cls, "_localaws_accounts", False):
        return
    _patch_user_lookup(pool_cls)
    _patch_refresh(pool_cls)
    _patch_attribute_checks(backend_cls)
    pool_cls._localaws_accounts = True


# -- usernames -----------------------------------------------------------------------------
def case_sensitive(pool: Any) -> bool:
    """Cognito's default for a pool made without UsernameConfiguration is case-sensitive."""
    config = pool.extended_config.get("UsernameConfiguration") or {}
    return bool(config.get("CaseSensitive", True))


def _patch_user_lookup(pool_cls: Any) -> None:
    original = pool_cls._get_user

    def _get_user(self: Any, username: str) -> Any:
        found = original(self, username)
        if found is not None or not isinstance(username, str) or case_sensitive(self):
            return found
        wanted = username.lower()
        kinds = self.extended_config.get("UsernameAttributes") or []
        for user in self.users.values():
            if user.username.lower() == wanted:
                return user
            values = {a["Name"]: a["Value"] for a in user.attributes}
            if any(str(values.get(kind, "")).lower() == wanted for kind in kinds):
                return user
        return None

    pool_cls._get_user = _get_user


# -- refresh -------------------------------------------------------------------------------
def _patch_refresh(pool_cls: Any) -> None:
    original_create = pool_cls.create_refresh_token
    original_refresh = pool_cls.create_tokens_from_refresh_token

    def create_refresh_token(self: Any, client_id: str, username: str) -> tuple[str, str]:
        token, origin_jti = original_create(self, client_id, username)
        user = self._get_user(username)
        if user is not None:
            owners = self.__dict__.setdefault(_TOKEN_OWNER, {})
            owners[token] = user.username
        return token, origin_jti

    def create_tokens_from_refresh_token(self: Any, refresh_token: str) -> tuple[str, str, int]:
        errors = guard.cognito_errors()
        issued = self.refresh_tokens.get(refresh_token)
        if issued is None:
            raise errors.NotAuthorizedException("Invalid Refresh Token")
        client_id, username, origin_jti = issued
        owner = self.__dict__.get(_TOKEN_OWNER, {}).get(refresh_token)
        user = self.users.get(owner) if owner else self._get_user(username)
        if user is None:
            raise errors.NotAuthorizedException("Invalid Refresh Token")
        if not user.enabled:
            raise errors.NotAuthorizedException("User is disabled.")
        if self._get_user(username) is not user:
            # The name it signed in with is no longer the user's (a changed email): moto
            # looks the user up by it, so hand it the user's own key, which never changes.
            self.refresh_tokens[refresh_token] = (client_id, user.username, origin_jti)
        return original_refresh(self, refresh_token)

    pool_cls.create_refresh_token = create_refresh_token
    pool_cls.create_tokens_from_refresh_token = create_tokens_from_refresh_token


# -- custom attributes ---------------------------------------------------------------------
def check_attributes(pool: Any, attributes: Iterable[dict[str, str]] | None) -> None:
    """Refuse ``custom:*`` attributes the pool's schema does not declare, as Cognito does."""
    for attribute in attributes or []:
        name = str(attribute.get("Name", ""))
        if not name.startswith("custom:"):
            continue
        if name not in pool.schema_attributes and f"dev:{name}" not in pool.schema_attributes:
            raise guard.cognito_errors().InvalidParameterException(
                f"Attributes did not conform to the schema: {name}: "
                "Attribute does not exist in the schema."
            )


def _pool_holding_access_token(backend: Any, access_token: str) -> Any:
    for pool in backend.user_pools.values():
        if access_token in pool.access_tokens:
            return pool
    return None


def _patch_attribute_checks(backend_cls: Any) -> None:
    sign_up = backend_cls.sign_up
    admin_create_user = backend_cls.admin_create_user
    admin_update = backend_cls.admin_update_user_attributes
    update = backend_cls.update_user_attributes

    def checked_sign_up(
        self: Any, client_id: str, username: str, password: str, attributes: Any
    ) -> Any:
        for pool in self.user_pools.values():
            if client_id in pool.clients:
                check_attributes(pool, attributes)
        return sign_up(self, client_id, username, password, attributes)

    def checked_admin_create_user(
        self: Any,
        user_pool_id: str,
        username: str,
        message_action: str,
        temporary_password: str,
        attributes: Any,
    ) -> Any:
        check_attributes(self.describe_user_pool(user_pool_id), attributes)
        return admin_create_user(
            self, user_pool_id, username, message_action, temporary_password, attributes
        )

    def checked_admin_update(self: Any, user_pool_id: str, username: str, attributes: Any) -> Any:
        check_attributes(self.describe_user_pool(user_pool_id), attributes)
        return admin_update(self, user_pool_id, username, attributes)

    def checked_update(self: Any, access_token: str, attributes: Any) -> Any:
        pool = _pool_holding_access_token(self, access_token)
        if pool is not None:
            check_attributes(pool, attributes)
        return update(self, access_token, attributes)

    backend_cls.sign_up = checked_sign_up
    backend_cls.admin_create_user = checked_admin_create_user
    backend_cls.admin_update_user_attributes = checked_admin_update
    backend_cls.update_user_attributes = checked_update
