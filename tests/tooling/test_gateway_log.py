"""What the local API Gateway writes to ``make run``'s log: one line per request, with an
approval link's signature redacted (issue 21: the log printed links that decide a booking)."""

from __future__ import annotations

from werkzeug.test import EnvironBuilder

from localaws.gateways.apigateway import ApiGateway, RestApiDefinition

SIGNATURE = "c2lnbmF0dXJlLW9mLXRoZS1saW5r"


def test_an_approval_links_signature_is_redacted_in_the_log() -> None:
    lines: list[str] = []
    api = RestApiDefinition("api", "Prod", [], {}, {}, [])
    gateway = ApiGateway(api, runtime=None, verifier=None, region="eu-west-2", log=lines.append)  # type: ignore[arg-type]
    statuses: list[str] = []
    for query in (
        f"decision=approve&expires=1999999999&sig={SIGNATURE}",
        f"sig={SIGNATURE}&decision=reject",
    ):
        environ = EnvironBuilder(path="/approvals/apr_1", query_string=query).get_environ()
        gateway(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["403 FORBIDDEN"] * 2
    assert len(lines) == 2
    assert all(SIGNATURE not in line for line in lines), lines
    assert lines[0].startswith(
        "API GET /approvals/apr_1?decision=approve&expires=1999999999&sig=[redacted] → 403"
    )
    assert lines[1].startswith("API GET /approvals/apr_1?sig=[redacted]&decision=reject → 403")
