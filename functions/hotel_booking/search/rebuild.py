"""Rebuild the search projection from the write tables (``make rebuild-projection``).

    python -m hotel_booking.search.rebuild --stack-name hotel-booking            # AWS
    python -m hotel_booking.search.rebuild --endpoint http://127.0.0.1:4566      # make run

Empties the projection table, then replays the hotels table (``projector.replay``); what
the nights hold is read from the inventory, never projected, so bookings need no replay.
Events that arrive meanwhile are safe: hotel writes are conditional on version. Search shows
fewer hotels until the replay has passed them (docs/operations.md).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

import boto3

from hotel_booking.dal.hotels import HotelsTable
from hotel_booking.search.dynamo import SearchTable
from hotel_booking.search.projector import replay

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LOCAL_STACK = "hotel-booking"
LOCAL_REGION = "eu-west-2"  # localaws.cloud.DEFAULT_REGION, where `make run` deploys


def tables(args: argparse.Namespace) -> dict[str, str]:
    if args.endpoint:  # the local stack names tables <stack>-<LogicalId>
        stack = args.stack_name or LOCAL_STACK
        return {
            "hotels": f"{stack}-HotelsTable",
            "bookings": f"{stack}-BookingsTable",
            "search": f"{stack}-SearchTable",
        }
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in boto3.client("cloudformation", region_name=args.region)
        .describe_stacks(StackName=args.stack_name)["Stacks"][0]
        .get("Outputs", [])
    }
    return {
        "hotels": outputs["HotelsTableName"],
        "bookings": outputs["BookingsTableName"],
        "search": outputs["SearchTableName"],
    }


def rebuild(client: DynamoDBClient, names: dict[str, str]) -> tuple[int, int]:
    """(items removed, changes applied)."""
    search = SearchTable(client, names["search"])
    removed = search.clear()
    return removed, replay(HotelsTable(client, names["hotels"]).all(), search)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hotel_booking.search.rebuild")
    parser.add_argument("--stack-name", help="the CloudFormation stack (AWS)")
    parser.add_argument("--endpoint", help="the local AWS endpoint (make run)")
    parser.add_argument("--region", default=None)
    args = parser.parse_args(argv)
    if not args.endpoint and not args.stack_name:
        parser.error("give --stack-name (AWS) or --endpoint (local)")
    kwargs: dict[str, Any] = {}
    if args.region or args.endpoint:
        kwargs["region_name"] = args.region or LOCAL_REGION
    if args.endpoint:
        kwargs |= {
            "endpoint_url": args.endpoint,
            "aws_access_key_id": "local",
            "aws_secret_access_key": "local",
        }
    names = tables(args)
    removed, applied = rebuild(boto3.client("dynamodb", **kwargs), names)
    print(f"{names['search']}: removed {removed} item(s), applied {applied} change(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
