"""The local Cognito keeps the account rules Cognito keeps (localaws/aws/cognito_accounts.py;
issue 21: an attack on ``make run`` found each of these different from AWS)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from devstack.run import LocalStack
from tests.fixtures.api_client import token_claims

PASSWORD = "Harbour-View9"


@pytest.fixture
def idp(local_stack: LocalStack) -> Any:
    return local_stack.cloud.client("cognito-idp")


@pytest.fixture
def pool(local_stack: LocalStack) -> str:
    return local_stack.config["userPoolId"]


@pytest.fixture
def client_id(local_stack: LocalStack) -> str:
    return local_stack.config["userPoolClientId"]


def new_user(idp: Any, pool: str, name: str = "acct") -> str:
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    idp.admin_create_user(
        UserPoolId=pool,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    return email


def sign_in(idp: Any, client_id: str, username: str) -> dict[str, Any]:
    resp = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return dict(resp["AuthenticationResult"])


def refresh(idp: Any, client_id: str, refresh_token: str) -> dict[str, Any]:
    resp = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return dict(resp["AuthenticationResult"])


def test_a_disabled_user_cannot_refresh(idp: Any, pool: str, client_id: str) -> None:
    email = new_user(idp, pool)
    tokens = sign_in(idp, client_id, email)
    assert refresh(idp, client_id, tokens["RefreshToken"])["IdToken"]
    idp.admin_disable_user(UserPoolId=pool, Username=email)
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="User is disabled"):
        refresh(idp, client_id, tokens["RefreshToken"])
    idp.admin_enable_user(UserPoolId=pool, Username=email)
    assert refresh(idp, client_id, tokens["RefreshToken"])["IdToken"]


def test_usernames_are_case_insensitive_as_the_pool_says(
    local_stack: LocalStack, idp: Any, pool: str, client_id: str
) -> None:
    assert local_stack.stack.resources["UserPool"].properties["UsernameConfiguration"] == {
        "CaseSensitive": False
    }
    email = new_user(idp, pool, "case")
    shouting = email.upper()
    same = token_claims(sign_in(idp, client_id, shouting)["IdToken"])
    assert same["sub"] == token_claims(sign_in(idp, client_id, email)["IdToken"])["sub"]
    with pytest.raises(idp.exceptions.UsernameExistsException):
        idp.sign_up(ClientId=client_id, Username=shouting, Password=PASSWORD)
    with pytest.raises(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(UserPoolId=pool, Username=shouting, MessageAction="SUPPRESS")
    found = idp.list_users(UserPoolId=pool, Filter=f'email = "{email}"')["Users"]
    assert len(found) == 1


def test_undeclared_custom_attributes_are_refused(idp: Any, pool: str, client_id: str) -> None:
    sneaky = [{"Name": "custom:role", "Value": "Admin"}]
    with pytest.raises(idp.exceptions.InvalidParameterException, match="custom:role"):
        idp.sign_up(
            ClientId=client_id,
            Username=f"custom-{uuid.uuid4().hex[:8]}@example.com",
            Password=PASSWORD,
            UserAttributes=sneaky,
        )
    email = new_user(idp, pool, "custom")
    with pytest.raises(idp.exceptions.InvalidParameterException, match="custom:role"):
        idp.admin_update_user_attributes(UserPoolId=pool, Username=email, UserAttributes=sneaky)
    access = sign_in(idp, client_id, email)["AccessToken"]
    with pytest.raises(idp.exceptions.InvalidParameterException, match="custom:role"):
        idp.update_user_attributes(AccessToken=access, UserAttributes=sneaky)
    claims = token_claims(sign_in(idp, client_id, email)["IdToken"])
    assert not any(k.startswith("custom:") for k in claims)


def test_a_refresh_after_an_email_change_works(idp: Any, pool: str, client_id: str) -> None:
    email = new_user(idp, pool, "moving")
    tokens = sign_in(idp, client_id, email)
    moved = f"moved-{uuid.uuid4().hex[:8]}@example.com"
    idp.admin_update_user_attributes(
        UserPoolId=pool,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": moved},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    fresh = token_claims(refresh(idp, client_id, tokens["RefreshToken"])["IdToken"])
    assert fresh["email"] == moved
    assert fresh["sub"] == token_claims(tokens["IdToken"])["sub"]


def test_the_api_takes_id_tokens_not_access_tokens(
    local_stack: LocalStack, idp: Any, pool: str, client_id: str
) -> None:
    # A Cognito authorizer without OAuth scopes (ours) accepts only ID tokens.
    tokens = sign_in(idp, client_id, new_user(idp, pool, "bearer"))
    url = f"{local_stack.api_url}/bookings"
    assert requests.get(url, headers={"Authorization": tokens["IdToken"]}, timeout=10).ok
    refused = requests.get(url, headers={"Authorization": tokens["AccessToken"]}, timeout=10)
    assert (refused.status_code, refused.json()) == (401, {"message": "Unauthorized"})
