"""The local API Gateway refuses what API Gateway refuses: bodies over the 10 MB payload quota
and request lines plus headers over 10240 bytes, with API Gateway's own 413 answer."""

from __future__ import annotations

from collections.abc import Iterator

import requests

from devstack.run import LocalStack
from localaws.engine.lambdas import REQUEST_PAYLOAD_LIMIT
from localaws.gateways.apigateway import HEADER_LIMIT, PAYLOAD_LIMIT

TOO_LARGE = {"message": "Request Too Long"}


def assert_too_large(resp: requests.Response, origin: str) -> None:
    assert resp.status_code == 413, resp.text[:200]
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.json() == TOO_LARGE
    # The DEFAULT_4XX gateway response headers apply (the site's origin), so a browser can read it.
    assert resp.headers["Access-Control-Allow-Origin"] == origin


def test_a_body_over_ten_megabytes_gets_413_before_any_function_runs(
    local_stack: LocalStack,
) -> None:
    # An unauthenticated route: the size is checked before routing and authorization.
    resp = requests.post(
        f"{local_stack.api_url}/approvals/apr_x",
        data=b"a" * (PAYLOAD_LIMIT + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
    )
    assert_too_large(resp, local_stack.web_url)


def test_a_chunked_body_over_ten_megabytes_gets_413(local_stack: LocalStack) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(11):
            yield b"b" * (1024 * 1024)

    resp = requests.post(f"{local_stack.api_url}/bookings", data=chunks(), timeout=60)
    assert_too_large(resp, local_stack.web_url)


def test_a_body_of_exactly_ten_megabytes_passes_the_gateway(local_stack: LocalStack) -> None:
    # No route answers here: API Gateway's 403 shows the request got past the size check.
    resp = requests.post(f"{local_stack.api_url}/nowhere", data=b"c" * PAYLOAD_LIMIT, timeout=60)
    assert resp.status_code == 403
    assert resp.json() == {"message": "Missing Authentication Token"}


def test_an_authorization_header_over_the_header_quota_gets_413(local_stack: LocalStack) -> None:
    resp = requests.get(
        f"{local_stack.api_url}/bookings",
        headers={"Authorization": "x" * (HEADER_LIMIT + 1)},
        timeout=10,
    )
    assert_too_large(resp, local_stack.web_url)


def test_a_header_line_too_long_for_the_http_server_gets_api_gateways_413_not_html(
    local_stack: LocalStack,
) -> None:
    # Over http.server's own 64 KiB line limit, which used to answer an HTML 431.
    resp = requests.get(
        f"{local_stack.api_url}/bookings",
        headers={"Authorization": "Bearer " + "y" * 70_000},
        timeout=10,
    )
    assert_too_large(resp, local_stack.web_url)


def test_a_body_whose_event_is_over_lambdas_six_megabytes_gets_api_gateways_5xx(
    local_stack: LocalStack,
) -> None:
    # Under API Gateway's 10 MB, over what a Lambda event can carry: Lambda refuses the
    # invocation, so API Gateway answers its own 5xx (the API's functions refuse bodies over
    # logic/uploads.MAX_BODY_BYTES with a 413 before this can happen to their clients).
    resp = requests.post(
        f"{local_stack.api_url}/approvals/apr_x",
        data=b"a" * (REQUEST_PAYLOAD_LIMIT + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
    )
    assert resp.status_code == 502, resp.text[:200]
    assert resp.json() == {"message": "Internal server error"}
    fits = requests.post(
        f"{local_stack.api_url}/approvals/apr_x",
        data=b"a" * (REQUEST_PAYLOAD_LIMIT - 8192),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
    )
    assert fits.status_code == 403, fits.text[:200]  # the page's own answer: no signed link
