"""Cognito's codes and token revocation in the local runtime behave as AWS documents them
(localaws/aws/cognito.py; moto alone accepts any code and sends nothing)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from devstack.run import LocalStack

PASSWORD = "Harbour-View9"


@pytest.fixture
def idp(local_stack: LocalStack) -> Any:
    return local_stack.cloud.client("cognito-idp")


@pytest.fixture
def client_id(local_stack: LocalStack) -> str:
    return local_stack.config["userPoolClientId"]


@pytest.fixture
def clock(local_stack: LocalStack) -> Iterator[list[float]]:
    """Seconds to add to the codes' clock."""
    shift = [0.0]
    real = local_stack.cognito_codes.clock
    local_stack.cognito_codes.clock = lambda: real() + shift[0]
    yield shift
    local_stack.cognito_codes.clock = real


def code_for(stack: LocalStack, email: str) -> str:
    mails = stack.mailbox.messages(email)
    assert mails, f"no email to {email}"
    return re.search(r"\b\d{6}\b", mails[-1]["body"]).group()  # type: ignore[union-attr]


def signed_up(idp: Any, client_id: str) -> str:
    email = f"code-{uuid.uuid4().hex[:8]}@example.com"
    resp = idp.sign_up(
        ClientId=client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "name", "Value": "Cody"}],
    )
    assert resp["UserConfirmed"] is False
    assert resp["CodeDeliveryDetails"] == {
        "Destination": "c***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    return email


def test_sign_up_emails_a_code_that_confirms_once(
    local_stack: LocalStack, idp: Any, client_id: str
) -> None:
    email = signed_up(idp, client_id)
    mail = local_stack.mailbox.messages(email)[-1]
    assert mail["subject"] == "Your Hotel Booking code"
    assert re.fullmatch(r"Your Hotel Booking code is \d{6}\. It works once\.", mail["body"])
    code = code_for(local_stack, email)
    with pytest.raises(idp.exceptions.UserNotConfirmedException):
        idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )
    idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=code)
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="Current status is CONFIRMED"):
        idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=code)
    with pytest.raises(idp.exceptions.InvalidParameterException, match="already confirmed"):
        idp.resend_confirmation_code(ClientId=client_id, Username=email)
    user = idp.admin_get_user(UserPoolId=local_stack.config["userPoolId"], Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "CONFIRMED" and attributes["email_verified"] == "true"


def test_wrong_old_and_expired_codes_are_refused(
    local_stack: LocalStack, idp: Any, client_id: str, clock: list[float]
) -> None:
    email = signed_up(idp, client_id)
    first = code_for(local_stack, email)
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.confirm_sign_up(
            ClientId=client_id, Username=email, ConfirmationCode=f"{(int(first) + 1) % 10**6:06d}"
        )
    idp.resend_confirmation_code(ClientId=client_id, Username=email)
    second = code_for(local_stack, email)
    if second != first:
        with pytest.raises(idp.exceptions.CodeMismatchException):
            idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=first)
    clock[0] = 24 * 3600 + 1
    with pytest.raises(idp.exceptions.ExpiredCodeException):
        idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=second)


def test_password_reset_needs_the_emailed_code_within_the_hour_and_a_valid_password(
    local_stack: LocalStack, idp: Any, client_id: str, clock: list[float]
) -> None:
    email = f"reset-{uuid.uuid4().hex[:8]}@example.com"
    local_stack.create_user(email, "Rita Reset", None)
    resp = idp.forgot_password(ClientId=client_id, Username=email)
    assert resp["CodeDeliveryDetails"]["Destination"] == "r***@e***"
    # moto's own code header carries nothing usable.
    assert resp["ResponseMetadata"]["HTTPHeaders"].get(
        "x-moto-forgot-password-confirmation-code", ""
    ) in ("", None)
    code = code_for(local_stack, email)
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.confirm_forgot_password(
            ClientId=client_id, Username=email, ConfirmationCode=code, Password="weak"
        )
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.confirm_forgot_password(
            ClientId=client_id, Username=email, ConfirmationCode="moto-code", Password=PASSWORD
        )
    clock[0] = 3601
    with pytest.raises(idp.exceptions.ExpiredCodeException):
        idp.confirm_forgot_password(
            ClientId=client_id, Username=email, ConfirmationCode=code, Password=PASSWORD
        )
    clock[0] = 0
    idp.forgot_password(ClientId=client_id, Username=email)
    idp.confirm_forgot_password(
        ClientId=client_id,
        Username=email,
        ConfirmationCode=code_for(local_stack, email),
        Password=PASSWORD,
    )
    idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )


def test_revoke_token_ends_the_refresh_token_and_refuses_other_tokens(
    local_stack: LocalStack, idp: Any, client_id: str
) -> None:
    tokens = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "guest@example.com", "PASSWORD": local_stack.password},
    )["AuthenticationResult"]
    with pytest.raises(idp.exceptions.UnsupportedTokenTypeException):
        idp.revoke_token(ClientId=client_id, Token=tokens["IdToken"])
    idp.revoke_token(ClientId=client_id, Token=tokens["RefreshToken"])
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="revoked"):
        idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    # The access token issued with it no longer works with Cognito either.
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.get_user(AccessToken=tokens["AccessToken"])
    idp.revoke_token(ClientId=client_id, Token=tokens["RefreshToken"])  # again: no error


def test_a_user_an_admin_creates_is_invited_by_email_unless_suppressed(
    local_stack: LocalStack, idp: Any, client_id: str
) -> None:
    pool = local_stack.config["userPoolId"]
    invited, quiet = (f"{p}-{uuid.uuid4().hex[:8]}@example.com" for p in ("invited", "quiet"))
    for email, action in ((invited, {}), (quiet, {"MessageAction": "SUPPRESS"})):
        idp.admin_create_user(
            UserPoolId=pool,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}],
            **action,
        )
    assert local_stack.mailbox.messages(quiet) == []
    (mail,) = local_stack.mailbox.messages(invited)
    assert mail["subject"] == "Your Hotel Booking account"
    temporary = re.search(r"temporary password (\S+) and", mail["body"]).group(1)  # type: ignore[union-attr]
    challenge = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": invited, "PASSWORD": temporary},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
