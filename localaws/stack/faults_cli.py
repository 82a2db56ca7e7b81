"""``python -m localaws faults``: inject, list and clear faults in a running local stack.

It talks to the emulator endpoint's ``/_localaws/faults`` route (faults.py) on ``AWS_PORT``
(default 4566), the port ``make run`` serves AWS on, so it works from any terminal::

    python -m localaws faults inject --function PaymentFunction \\
        --action aws:lambda:invocation-error --prevent-execution false \\
        --percentage 100 --duration PT3M
    python -m localaws faults inject --function NotifyFunction \\
        --action aws:lambda:invocation-add-delay --delay-ms 12000
    python -m localaws faults inject --function NotifyFunction \\
        --action dependency-error --service ses --error Throttling
    python -m localaws faults list
    python -m localaws faults clear [--id fault-3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

from localaws.engine.faults import ACTIONS, ADD_DELAY, DEPENDENCY_ERROR, ROUTE


def _bool(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("true or false")
    return text.lower() == "true"


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m localaws faults", description=__doc__)
    cli.add_argument(
        "--endpoint",
        default=f"http://127.0.0.1:{os.environ.get('AWS_PORT', '4566')}",
        help="the local stack's AWS endpoint (default: 127.0.0.1:$AWS_PORT, else 4566)",
    )
    commands = cli.add_subparsers(dest="command", required=True)
    inject = commands.add_parser("inject", help="add a fault")
    inject.add_argument("--function", required=True, help="logical id (or name) of the function")
    inject.add_argument("--action", required=True, choices=ACTIONS)
    inject.add_argument(
        "--prevent-execution",
        type=_bool,
        default=True,
        help="invocation-error: true = the code does not run; false = it runs, then the "
        "caller sees the error (default true)",
    )
    inject.add_argument("--percentage", type=float, default=100.0, help="invocationPercentage")
    inject.add_argument("--duration", default="PT10M", help="ISO-8601, e.g. PT3M (max PT12H)")
    inject.add_argument("--delay-ms", type=int, help="startupDelayMilliseconds (add-delay)")
    inject.add_argument("--service", help="dependency-error: the AWS service, e.g. ses")
    inject.add_argument("--operation", help="dependency-error: one API only, e.g. SendEmail")
    inject.add_argument(
        "--error",
        help="dependency-error: the error code (e.g. Throttling); invocation-error: the "
        "errorType (default Lambda.ServiceException)",
    )
    inject.add_argument("--times", type=int, help="(local only) end after N matching invocations")
    commands.add_parser("list", help="the active faults")
    clear = commands.add_parser("clear", help="remove every fault, or one")
    clear.add_argument("--id", help="remove only this fault")
    return cli


def request_for(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    """(method, path, body) for the route."""
    if args.command == "list":
        return "GET", ROUTE, None
    if args.command == "clear":
        return "DELETE", f"{ROUTE}/{args.id}" if args.id else ROUTE, None
    body: dict[str, Any] = {
        "function": args.function,
        "action": args.action,
        "invocationPercentage": args.percentage,
        "duration": args.duration,
        "preventExecution": args.prevent_execution,
    }
    if args.action == ADD_DELAY:
        body["startupDelayMilliseconds"] = args.delay_ms or 0
    if args.action == DEPENDENCY_ERROR:
        body["service"] = args.service
        body["operation"] = args.operation
    if args.error:
        body["error"] = args.error
    if args.times is not None:
        body["times"] = args.times
    return "POST", ROUTE, body


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    method, path, body = request_for(args)
    request = urllib.request.Request(
        args.endpoint + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            answer = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        print(f"error {exc.code}: {json.loads(exc.read()).get('message')}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"no local stack at {args.endpoint} ({exc}); is `make run` up?", file=sys.stderr)
        return 1
    if "faults" in answer:
        for fault in answer["faults"]:
            print(describe(fault))
        if not answer["faults"]:
            print("no active faults")
    elif "fault" in answer:
        print("injected", describe(answer["fault"]))
    else:
        print(f"cleared {answer['cleared']}")
    return 0


def describe(fault: dict[str, Any]) -> str:
    """One line per fault, as ``faults list`` prints it."""
    what = fault["action"]
    if what == DEPENDENCY_ERROR:
        api = f"{fault['service']}:{fault['operation'] or '*'}"
        what += f" {api} -> {fault['error']}"
    elif what == ADD_DELAY:
        what += f" {fault['delay_ms']} ms"
    else:
        what += f" {fault['error'] or 'Lambda.ServiceException'}"
        what += f" preventExecution={str(fault['prevent_execution']).lower()}"
    times = f", {fault['hits']}/{fault['times']} times" if fault["times"] else ""
    return (
        f"{fault['id']}  {fault['logical_id'] or fault['function']}  {what}  "
        f"{fault['percentage']:g}%  until {fault['endsAt']}{times}"
    )
