"""Cognito's emails and codes, which moto 5.2.5 does not have.

moto confirms a sign-up with any code, accepts any password-reset code that it did not make
itself, sends nothing, and has no ResendConfirmationCode or RevokeToken. Locally that would let
the pages pass with codes that AWS refuses. This module adds what AWS does:

- SignUp, ResendConfirmationCode and ForgotPassword make a 6-digit code and email it, with the
  pool's VerificationMessageTemplate, to the local mailbox;
- ConfirmSignUp and ConfirmForgotPassword refuse a wrong code (``CodeMismatchException``), an
  expired one (``ExpiredCodeException``; 24 hours for sign-up, 1 hour for a password reset),
  and a code is used once; ConfirmForgotPassword checks the password policy;
- AdminCreateUser emails the invitation (the pool's InviteMessageTemplate) with the temporary
  password, which it makes when none is given, unless MessageAction is SUPPRESS;
- RevokeToken ends a refresh token and the access tokens issued with it, so REFRESH_TOKEN_AUTH
  with it fails with ``NotAuthorizedException`` as on AWS.

Every moto name used here is looked up through :mod:`localaws.compat.guard`.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localaws.aws.mail import Mailbox
from localaws.compat import guard

SIGN_UP_CODE_SECONDS = 24 * 3600
PASSWORD_CODE_SECONDS = 3600
DEFAULT_SUBJECT = "Your verification code"
DEFAULT_MESSAGE = "Your verification code is {####}. "
DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_MESSAGE = "Your username is {username} and temporary password is {####}. "
SENDER = "no-reply@verificationemail.com"

SIGN_UP = "sign-up"
PASSWORD = "password"


@dataclass
class _Code:
    value: str
    expires_at: float


def masked(email: str) -> str:
    """How Cognito shows where a code went: ``g***@e***``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


class CognitoCodes:
    """The codes Cognito would email, per pool, user and purpose."""

    def __init__(self, mailbox: Mailbox, clock: Callable[[], float] = time.time) -> None:
        self.mailbox = mailbox
        self.clock = clock
        self._codes: dict[tuple[str, str, str], _Code] = {}
        self._lock = threading.Lock()

    # -- the rules ------------------------------------------------------------------------
    def issue(self, pool: Any, user: Any, purpose: str) -> dict[str, str]:
        """A new code for the user (the previous one stops working), emailed; the
        CodeDeliveryDetails AWS answers with."""
        email = str(user.attribute_lookup.get("email", ""))
        code = f"{secrets.randbelow(1_000_000):06d}"
        ttl = SIGN_UP_CODE_SECONDS if purpose == SIGN_UP else PASSWORD_CODE_SECONDS
        with self._lock:
            self._codes[(pool.id, user.id, purpose)] = _Code(code, self.clock() + ttl)
        template = pool.extended_config.get("VerificationMessageTemplate") or {}
        subject = template.get("EmailSubject") or DEFAULT_SUBJECT
        message = template.get("EmailMessage") or DEFAULT_MESSAGE
        self.mailbox.deliver(
            email,
            subject,
            message.replace("{####}", code),
            pool.arn,
            {"from": SENDER, "purpose": purpose},
        )
        return {"Destination": masked(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}

    def invite(self, pool: Any, username: str, temporary_password: str) -> None:
        """The invitation AWS emails to a user an administrator created."""
        user = pool._get_user(username)
        config = pool.extended_config.get("AdminCreateUserConfig") or {}
        template = config.get("InviteMessageTemplate") or {}
        subject = template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT
        message = template.get("EmailMessage") or DEFAULT_INVITE_MESSAGE
        body = message.replace("{username}", username).replace("{####}", temporary_password)
        email = str(user.attribute_lookup.get("email", username))
        self.mailbox.deliver(email, subject, body, pool.arn, {"from": SENDER, "purpose": "invite"})

    def check(self, pool: Any, user: Any, purpose: str, code: str) -> None:
        """Raise what AWS raises for a wrong or expired code; a right code is used up."""
        errors = guard.cognito_errors()
        with self._lock:
            issued = self._codes.get((pool.id, user.id, purpose))
            if issued is None or not secrets.compare_digest(issued.value, str(code or "")):
                raise errors.CodeMismatchException(
                    "Invalid verification code provided, please try again."
                )
            if self.clock() >= issued.expires_at:
                raise errors.ExpiredCodeException(
                    "Invalid code provided, please request a code again."
                )
            del self._codes[(pool.id, user.id, purpose)]

    # -- the patches ----------------------------------------------------------------------
    def install(self) -> None:
        """Wrap moto's Cognito (once per process; the newest CognitoCodes is the one used)."""
        global _current
        _current = self

        backend_cls = guard.cognito_backend_class()
        response_cls = guard.cognito_response_class()
        if getattr(response_cls, "_localaws_codes", False):
            return
        _patch_sign_up(backend_cls)
        _patch_admin_create_user(backend_cls)
        _patch_forgot_password(backend_cls)
        _patch_confirm_sign_up(response_cls)
        response_cls.resend_confirmation_code = _resend_confirmation_code
        response_cls.revoke_token = _revoke_token
        response_cls._localaws_codes = True


_current: CognitoCodes | None = None


def _codes() -> CognitoCodes:
    if _current is None:
        raise RuntimeError("localaws.aws.cognito: CognitoCodes.install() was not called")
    return _current


def _pool_of_client(client_id: str) -> tuple[Any, Any]:
    """(backend, pool) that holds this app client."""
    for backend in guard.cognito_backends():
        for pool in backend.user_pools.values():
            if client_id in pool.clients:
                return backend, pool
    raise guard.cognito_errors().ResourceNotFoundException(client_id)


def _patch_sign_up(backend_cls: Any) -> None:
    original = backend_cls.sign_up

    def sign_up(self: Any, client_id: str, *args: Any, **kwargs: Any) -> Any:
        user, details = original(self, client_id, *args, **kwargs)
        if details:  # moto decided a code is due (email in AutoVerifiedAttributes)
            _, pool = _pool_of_client(client_id)
            details = _codes().issue(pool, user, SIGN_UP)
        return user, details

    backend_cls.sign_up = sign_up


def _patch_admin_create_user(backend_cls: Any) -> None:
    original = backend_cls.admin_create_user

    def admin_create_user(
        self: Any,
        user_pool_id: str,
        username: str,
        message_action: str,
        temporary_password: str,
        attributes: list[dict[str, str]],
    ) -> Any:
        if message_action in ("SUPPRESS", "RESEND"):
            return original(
                self, user_pool_id, username, message_action, temporary_password, attributes
            )
        # AWS makes a temporary password that meets the policy when none is given.
        password = temporary_password or f"Tmp-{secrets.token_urlsafe(9)}7a"
        user = original(self, user_pool_id, username, message_action, password, attributes)
        _codes().invite(self.describe_user_pool(user_pool_id), username, password)
        return user

    backend_cls.admin_create_user = admin_create_user


def _patch_forgot_password(backend_cls: Any) -> None:
    original_forgot = backend_cls.forgot_password
    original_confirm = backend_cls.confirm_forgot_password

    def forgot_password(self: Any, client_id: str, username: str) -> Any:
        _, response = original_forgot(self, client_id, username)
        _, pool = _pool_of_client(client_id)
        user = pool._get_user(username)
        if user is not None:
            user.confirmation_code = None  # moto's own code: never valid here
            response["CodeDeliveryDetails"] = _codes().issue(pool, user, PASSWORD)
        # moto puts its code in a response header; AWS sends nothing of the kind.
        return "", response

    def confirm_forgot_password(
        self: Any, client_id: str, username: str, password: str, confirmation_code: str
    ) -> None:
        _, pool = _pool_of_client(client_id)
        user = pool._get_user(username)
        if user is None:  # PreventUserExistenceErrors: the same answer as a wrong code
            raise guard.cognito_errors().CodeMismatchException(
                "Invalid verification code provided, please try again."
            )
        self._validate_password(pool.id, password)
        _codes().check(pool, user, PASSWORD, confirmation_code)
        original_confirm(self, client_id, username, password, "localaws-checked")

    backend_cls.forgot_password = forgot_password
    backend_cls.confirm_forgot_password = confirm_forgot_password


def _patch_confirm_sign_up(response_cls: Any) -> None:
    original = response_cls.confirm_sign_up

    def confirm_sign_up(self: Any) -> Any:
        client_id = self._get_param("ClientId")
        _, pool = _pool_of_client(client_id)
        user = pool._get_user(self._get_param("Username"))
        errors = guard.cognito_errors()
        if user is None:
            raise errors.CodeMismatchException(
                "Invalid verification code provided, please try again."
            )
        if _status(user) != "UNCONFIRMED":
            raise errors.NotAuthorizedException(
                f"User cannot be confirmed. Current status is {_status(user)}"
            )
        _codes().check(pool, user, SIGN_UP, self._get_param("ConfirmationCode"))
        result = original(self)
        user.attributes = [a for a in user.attributes if a["Name"] != "email_verified"]
        user.attributes.append({"Name": "email_verified", "Value": "true"})
        user.attribute_lookup["email_verified"] = "true"
        return result

    response_cls.confirm_sign_up = confirm_sign_up


def _resend_confirmation_code(self: Any) -> Any:
    """ResendConfirmationCode: a new code for an unconfirmed user (the old one stops working)."""
    _, pool = _pool_of_client(self._get_param("ClientId"))
    username = self._get_param("Username")
    user = pool._get_user(username)
    if user is None:  # PreventUserExistenceErrors: a plausible answer, nothing sent
        details = {"Destination": masked(username), "DeliveryMedium": "EMAIL"}
        return guard.cognito_action_result()({"CodeDeliveryDetails": details})
    if _status(user) != "UNCONFIRMED":
        raise guard.cognito_errors().InvalidParameterException("User is already confirmed.")
    details = _codes().issue(pool, user, SIGN_UP)
    return guard.cognito_action_result()({"CodeDeliveryDetails": details})


def _revoke_token(self: Any) -> Any:
    """RevokeToken: the refresh token, and the access tokens issued with it, stop working."""
    errors = guard.cognito_errors()
    client_id = self._get_param("ClientId")
    token = str(self._get_param("Token") or "")
    _, pool = _pool_of_client(client_id)
    if not pool.clients[client_id].extended_config.get("EnableTokenRevocation", True):
        raise errors.UnsupportedOperationException(
            "Token revocation is not enabled for this app client."
        )
    if token.count(".") == 2 and _jwt_payload(token).get("token_use") in ("id", "access"):
        raise errors.UnsupportedTokenTypeException("Only refresh tokens can be revoked.")
    issued = pool.refresh_tokens.get(token)
    if issued is not None:
        owner, _, origin_jti = issued
        if owner != client_id:
            raise errors.UnauthorizedException("The token was not issued to this client.")
        pool.refresh_tokens[token] = None
        for access_token in list(pool.access_tokens):
            if _jwt_payload(access_token).get("origin_jti") == origin_jti:
                pool.access_tokens.pop(access_token, None)
    return guard.cognito_action_result()({})


def _status(user: Any) -> str:
    """moto keeps a user's status as a str enum (UserStatus)."""
    return str(getattr(user.status, "value", user.status))


def _jwt_payload(token: str) -> dict[str, Any]:
    try:
        part = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return data if isinstance(data, dict) else {}
