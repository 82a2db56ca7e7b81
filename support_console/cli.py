"""python -m support_console executions: booking executions in a terminal, for support staff.

    python -m support_console executions list [--status FAILED] [--limit N]
    python -m support_console executions show <bookingId>

Against the local stack by default (`make run`: endpoint http://localhost:$AWS_PORT, region
eu-west-2, dummy credentials; the state machine and bookings table are found by name), or a
real account with ``--aws`` (credentials from the usual AWS environment or profile;
``--stack-name`` finds the resources through CloudFormation). Reads only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Collection, Sequence
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from support_console.executions import BOOKING_FIELDS, STATUSES, Inspector
from support_console.formatting import display_value, format_duration, format_time
from support_console.history import short_cause
from support_console.records import ExecutionDetail, ExecutionPage
from support_console.resources import (
    NotFound,
    Resources,
    console_url,
    find_resources,
    resources_from_stack,
)

LOCAL_REGION = "eu-west-2"
DEFAULT_LIMIT = 50


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        inspector, region = connect(args)
        if args.command == "list":
            page = inspector.list_executions(args.status, args.limit, attention=args.attention)
            print(json.dumps(page.to_json(), indent=1) if args.json else render_list(page))
            return 0
        try:
            detail = inspector.execution(args.booking_id)
        except NotFound:
            print(f"no execution named {args.booking_id!r}", file=sys.stderr)
            return 1
        if args.json:
            print(json.dumps(detail.to_json(), indent=1))
        else:
            print(render_show(detail, inspector.resources, region))
        return 0
    except (LookupError, BotoCoreError, ClientError) as exc:
        return unreadable(args, exc)


def unreadable(args: argparse.Namespace, exc: Exception) -> int:
    """Say why nothing could be read (a resource not found, or AWS / the local stack not
    answering) on stderr; the commands' exit status for it."""
    if isinstance(exc, LookupError):
        print(f"error: {exc}", file=sys.stderr)
        return 2
    where = "AWS" if args.aws else _endpoint(args)
    hint = "" if args.aws else " (is `make run` running?)"
    print(f"error: could not read from {where}{hint}: {exc}", file=sys.stderr)
    return 2


def _common() -> argparse.ArgumentParser:
    """Where to read: the local stack (default) or a real account."""
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_argument_group("where")
    target = where.add_mutually_exclusive_group()
    target.add_argument(
        "--endpoint",
        help="AWS endpoint URL of the local stack (default http://localhost:$AWS_PORT, 4566)",
    )
    target.add_argument(
        "--aws",
        action="store_true",
        help="a real AWS account: credentials from the usual AWS environment or profile",
    )
    where.add_argument("--region", help=f"default {LOCAL_REGION} locally; with --aws, yours")
    where.add_argument("--profile", help="AWS profile (with --aws)")
    where.add_argument(
        "--stack-name",
        help="the stack that owns the saga (with --aws: found via CloudFormation)",
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of tables")
    return common


def _parser() -> argparse.ArgumentParser:
    common = _common()
    where = common.add_argument_group("look-ups")
    where.add_argument("--state-machine-arn", help="skip the look-up: this state machine")
    where.add_argument("--bookings-table", help="skip the look-up: this bookings table")
    common.add_argument(
        "--cancellations",
        action="store_true",
        help="the cancellation state machine's executions (named cancel-<bookingId>)",
    )

    parser = argparse.ArgumentParser(
        prog="python -m support_console executions",
        description="Booking executions (one per booking; execution name = bookingId).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{list,show}")
    listing = commands.add_parser(
        "list", parents=[common], help="executions, newest first, with hotel and booking status"
    )
    listing.add_argument(
        "--status", type=str.upper, choices=STATUSES, help="only executions with this status"
    )
    listing.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=f"how many (default {DEFAULT_LIMIT})"
    )
    listing.add_argument(
        "--attention",
        action="store_true",
        help="only those needing someone: failed, alerted, stuck, timed out, aborted",
    )
    show = commands.add_parser(
        "show",
        parents=[common],
        help="one execution: path of states, failure, booking record, event history",
    )
    show.add_argument("booking_id", metavar="bookingId")
    return parser


def _endpoint(args: argparse.Namespace) -> str:
    return str(args.endpoint or f"http://localhost:{os.environ.get('AWS_PORT', '4566')}")


def clients(args: argparse.Namespace) -> tuple[Any, str]:
    """A client factory for the local stack or a real account, and the region."""
    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5)
    if args.aws:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        region = session.region_name
        if not region:
            raise LookupError("no AWS region: pass --region or set AWS_REGION")

        def client(service: str) -> Any:
            return session.client(service, config=config)  # type: ignore[call-overload]

    else:
        region = args.region or LOCAL_REGION
        endpoint = _endpoint(args)

        def client(service: str) -> Any:
            return boto3.client(  # type: ignore[call-overload]
                service,
                region_name=region,
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                config=config,
            )

    return client, region


def connect(args: argparse.Namespace) -> tuple[Inspector, str]:
    """Clients for the local stack or a real account, and where the saga's resources are."""
    client, region = clients(args)
    sfn, dynamodb = client("stepfunctions"), client("dynamodb")
    if args.state_machine_arn and args.bookings_table:
        resources = Resources(args.state_machine_arn, args.bookings_table)
    elif args.aws:
        if not args.stack_name:
            raise LookupError(
                "with --aws, pass --stack-name (the name given to sam deploy), or both "
                "--state-machine-arn and --bookings-table"
            )
        resources = resources_from_stack(client("cloudformation"), args.stack_name)
    else:
        resources = find_resources(sfn, dynamodb, args.stack_name)
    resources = Resources(
        args.state_machine_arn or resources.state_machine_arn,
        args.bookings_table or resources.bookings_table,
        resources.hotels_table,
        resources.cancellation_state_machine_arn,
    )
    if getattr(args, "cancellations", False):
        cancellations = resources.cancellations()
        if cancellations is None:
            raise LookupError("this deployment has no cancellation state machine")
        resources = cancellations
    return Inspector(sfn, dynamodb, resources), region


# ------------------------------------------------------------------------------ output
def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Collection[int] = ()
) -> str:
    """Plain-text columns, two spaces apart; columns in ``right`` are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        out = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _cut(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_list(page: ExecutionPage) -> str:
    rows = []
    for e in page.executions:
        stopped = format_time(e.stop) if e.stop else "-"
        if e.stop and stopped[:10] == format_time(e.start)[:10]:
            stopped = stopped[11:]  # same day: the time is enough
        rows.append(
            [
                e.booking_id,
                e.status,
                _cut(e.hotel_name or e.hotel_id or "-", 28),
                format_time(e.start),
                stopped,
                format_duration(e.duration),
                (e.outcome or "-") + (f" ({e.attention})" if e.attention else ""),
            ]
        )
    if not rows:
        return "no executions"
    text = table(
        ["BOOKING", "STATUS", "HOTEL", "STARTED (UTC)", "STOPPED", "DURATION", "OUTCOME"],
        rows,
        right={5},
    )
    footer = f"\n{len(rows)} execution{'s' if len(rows) != 1 else ''}, newest first"
    if page.next_token:
        footer += " (more: raise --limit)"
    return text + footer


def render_show(detail: ExecutionDetail, resources: Resources, region: str) -> str:
    s, path = detail.summary, detail.path
    out: list[str] = [f"Execution {s.booking_id}", ""]

    def facts(pairs: Sequence[tuple[str, str | None]]) -> None:
        width = max(len(k) for k, _ in pairs)
        out.extend(f"  {k.ljust(width)}  {v}" for k, v in pairs if v not in (None, ""))

    facts(
        [
            ("Status", s.status),
            ("Started", f"{format_time(s.start)} UTC"),
            ("Stopped", f"{format_time(s.stop)} UTC" if s.stop else "- (running)"),
            ("Duration", format_duration(s.duration)),
            ("Hotel", f"{s.hotel_name or ''} ({s.hotel_id})".strip() if s.hotel_id else None),
            ("Execution ARN", s.execution_arn),
            ("AWS console", console_url(region, s.execution_arn)),
        ]
    )

    out += ["", "Path of states", ""]
    arrow = " → ".join(v.name + (" ✗" if v.name == path.failed_state else "") for v in path.visits)
    out.append(f"  {arrow or '(no state entered yet)'}")
    out.append("")
    step_rows = []
    for i, v in enumerate(path.visits, 1):
        took = (v.exited - v.entered).total_seconds() if v.exited else None
        note = v.outcome
        if v.outcome == "ended":
            note = "end: failed" if v.type == "Fail" else "end: succeeded"
        if v.error:
            note += f": {v.error}"
        step_rows.append(
            [
                str(i),
                v.name,
                v.type,
                format_time(v.entered)[11:],
                format_duration(took) if took is not None else "-",
                str(v.attempts) if v.attempts else "",
                note,
            ]
        )
    if step_rows:
        out += _indent(
            table(
                ["#", "STATE", "TYPE", "ENTERED", "TOOK", "ATTEMPTS", "OUTCOME"],
                step_rows,
                right={0, 4, 5},
            )
        )

    if path.failed_state or s.status in {"FAILED", "TIMED_OUT", "ABORTED"}:
        failed = next((v for v in path.visits if v.name == path.failed_state), None)
        out += ["", "Failure", ""]
        facts(
            [
                ("Failed state", path.failed_state or "-"),
                ("State error", failed.error if failed else None),
                ("State cause", short_cause(failed.cause, 200) if failed else None),
                ("Ended in", path.end_state or "- (still running)"),
                ("Error", detail.error),
                ("Cause", short_cause(detail.cause, 300) if detail.cause else None),
            ]
        )

    out += ["", f"Booking record ({resources.bookings_table})", ""]
    if detail.booking is None:
        out.append("  none (an execution whose input was not a valid booking never writes one)")
    else:
        booking = dict(detail.booking)
        steps = booking.pop("steps", None)
        shown_elsewhere = ("bookingId", "executionArn", "steps")
        keys = [k for k in BOOKING_FIELDS if k in booking and k not in shown_elsewhere]
        keys += sorted(k for k in booking if k not in BOOKING_FIELDS)
        pairs = [(k, _cut(_text(booking[k]), 120)) for k in keys]
        if isinstance(steps, list) and steps:
            trail = ", ".join(
                f"{st.get('state')} {display_value(st.get('at', ''))[11:23]}"
                for st in steps
                if isinstance(st, dict)
            )
            pairs.append(("steps", trail))
        facts(pairs)

    out += ["", f"Event history ({len(path.events)} events)", ""]
    event_rows = [
        [
            str(e.id),
            f"{e.elapsed_ms:.0f}",
            e.type,
            e.state or "",
            _cut(e.summary, 90),
        ]
        for e in path.events
    ]
    out += _indent(table(["ID", "+MS", "TYPE", "STATE", "DETAIL"], event_rows, right={0, 1}))
    return "\n".join(out)


def _indent(text: str) -> list[str]:
    return [f"  {line}" for line in text.splitlines()]


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return display_value(value)
