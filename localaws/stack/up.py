"""``python -m localaws up``: deploy any SAM app into the engine and serve it, as ``sam local``
would, without Docker.

AWS APIs answer on ``AWS_PORT``; every REST API (and HTTP API) of the template answers on
``API_PORT`` (routes merged, no stage prefix, as ``sam local start-api`` serves them). A line
with ``ready`` is printed once every resource exists; SIGTERM or Ctrl-C stops it cleanly.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from localaws.account import DEFAULT_REGION
from localaws.cloud import DEFAULT_STACK_NAME, LocalCloud, PortInUse, ensure_port_free
from localaws.gateways.apigateway import ApiGateway, RestApiDefinition, TokenVerifier, serve
from localaws.gateways.httpapi import HttpApiGateway, http_apis
from localaws.provision.deploy import DeployError, Stack
from localaws.provision.parameters import ParameterError, parameters_for


class Routes:
    """One port for every API of the stack: a request goes to the first API with its path."""

    def __init__(self, gateways: list[Any]) -> None:
        self.gateways = gateways

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        for gateway in self.gateways:
            if gateway.serves(request.path):
                return gateway(environ, start_response)
        answer = Response(b'{"message":"Not Found"}', 404, mimetype="application/json")
        return answer(environ, start_response)


def gateways(cloud: LocalCloud, stack: Stack, log: Callable[[str], None]) -> list[Any]:
    """A gateway per REST API (its OpenAPI body) and per HTTP API of the stack."""
    verifier = TokenVerifier(cloud.endpoint, cloud.region, functools.partial(client_ids, cloud))
    found: list[Any] = []
    for api in stack.of_type("AWS::ApiGateway::RestApi"):
        if "Body" in api.properties:
            definition = RestApiDefinition.from_stack(stack, api.logical_id)
            found.append(ApiGateway(definition, cloud.runtime, verifier, cloud.region, log))
    found += [HttpApiGateway(api, cloud.runtime, log) for api in http_apis(stack)]
    return found


def client_ids(cloud: LocalCloud, pool_id: str) -> set[str]:
    """A user pool's app client ids: the audiences its ID tokens may carry."""
    clients = cloud.client("cognito-idp").list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    return {c["ClientId"] for c in clients["UserPoolClients"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localaws up", description="Deploy a SAM app locally and serve it."
    )
    parser.add_argument("--template", "-t", default="template.yaml", type=Path)
    parser.add_argument("--stack-name", default=None)
    parser.add_argument("--parameter-overrides", nargs="*", default=[], metavar="NAME=VALUE")
    parser.add_argument("--region", default=None, help="default: samconfig.toml's, or eu-west-2")
    parser.add_argument("--config-env", default="default", help="samconfig.toml environment")
    args = parser.parse_args(argv)
    aws_port = int(os.environ.get("AWS_PORT", "4566"))
    api_port = int(os.environ.get("API_PORT", "3000"))

    def log(line: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)

    started = time.perf_counter()
    try:
        if not args.template.exists():
            raise FileNotFoundError(f"no template at {args.template}")
        settings, parameters = parameters_for(
            args.template, args.parameter_overrides, args.config_env
        )
        stack_name = args.stack_name or settings.get("stack_name") or DEFAULT_STACK_NAME
        region = args.region or settings.get("region") or DEFAULT_REGION
        ensure_port_free(api_port, "API_PORT")
        cloud = LocalCloud(port=aws_port, region=region).start()
    except (PortInUse, ParameterError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    servers = []
    try:
        stack = cloud.deploy(args.template, stack_name, parameters)
        apis = gateways(cloud, stack, log)
        if apis:
            servers.append(serve(Routes(apis), "127.0.0.1", api_port))
    except Exception as exc:  # a template the engine refuses: say why, leave nothing running
        kind = "" if isinstance(exc, DeployError) else f"{type(exc).__name__}: "
        print(f"error: {kind}{exc}", file=sys.stderr)
        cloud.stop()
        return 1
    print(f"stack {stack_name}: {len(stack.resources)} resources", flush=True)
    for name, value in stack.outputs.items():
        print(f"  output {name:24} {value}", flush=True)
    print(f"  AWS endpoint {cloud.endpoint} (region {cloud.region}, dummy credentials)")
    if apis:
        print(f"  APIs         http://127.0.0.1:{api_port}")
    print(
        f"ready in {time.perf_counter() - started:.1f} s (Ctrl-C or SIGTERM stops it)", flush=True
    )

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        for server in servers:
            server.shutdown()
        cloud.stop()
    return 0
