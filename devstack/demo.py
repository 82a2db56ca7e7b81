"""`make run` (for now): one booking through the saga on the local cloud, step by step."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack demo", description=__doc__)
    parser.add_argument(
        "--token",
        default="tok_visa",
        help="payment test token: tok_visa, tok_chargeDeclined, tok_processingError",
    )
    parser.add_argument(
        "--decision",
        choices=["approve", "reject", "none"],
        default="approve",
        help="what the hotel manager does ('none' waits for the approval timeout)",
    )
    parser.add_argument("--approval-timeout", type=int, default=5, help="seconds (demo only)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "functions"))
    from devstack.product import LOCAL_PARAMETERS, STACK_NAME
    from hotel_booking.dal.approvals import ApprovalsTable
    from hotel_booking.dal.bookings import BookingsTable
    from hotel_booking.dal.executions import Executions
    from hotel_booking.dal.hotels import HotelsTable
    from hotel_booking.dal.subscriptions import HotelTopics
    from hotel_booking.logic.approvals import decide
    from hotel_booking.logic.ids import approval_id_for
    from hotel_booking.models import BookingStatus, Decision, Hotel
    from localaws.cloud import LocalCloud
    from support_console.history import describe_event, follow

    def show_invocation(inv: Any) -> None:
        status = inv.error_type or "ok"
        cold = " (cold start)" if inv.cold_start else ""
        print(f"    λ {inv.function}: {status} in {inv.duration_ms:.0f} ms{cold}", flush=True)

    started = time.perf_counter()
    with LocalCloud(on_invocation=show_invocation, local_parameters=LOCAL_PARAMETERS) as cloud:
        stack = cloud.deploy(
            ROOT / "template.yaml",
            STACK_NAME,
            parameters={"ApprovalTimeoutSeconds": str(args.approval_timeout)},
        )
        print(
            f"local AWS at {cloud.endpoint}; template.yaml deployed in "
            f"{time.perf_counter() - started:.1f} s ({len(stack.resources)} resources)"
        )
        dynamodb = cloud.client("dynamodb")
        bookings = BookingsTable(dynamodb, stack.ref("BookingsTable"))
        approvals = ApprovalsTable(dynamodb, stack.ref("ApprovalsTable"))
        now = dt.datetime.now(dt.UTC)
        hotel = Hotel(
            hotelId="harbour-lisbon",
            name="Harbour Hotel Lisbon",
            city="Lisbon",
            stars=4,
            pricePerNight=Decimal("120.00"),
            rooms=5,
            managerEmail="manager@example.com",
            createdAt=now,
            updatedAt=now,
        )
        HotelsTable(dynamodb, stack.ref("HotelsTable")).create(hotel)
        # The hotels API creates each hotel's topic; this demo writes the hotel directly.
        HotelTopics(cloud.client("sns"), stack.outputs["HotelTopicArnPrefix"]).add(
            hotel.managerEmail, hotel.hotelId
        )
        check_in = dt.date.today() + dt.timedelta(days=14)
        booking_id = f"demo-{int(time.time())}"
        request = {
            "bookingId": booking_id,
            "hotelId": hotel.hotelId,
            "guest": {"sub": "demo-guest", "name": "Ann Guest", "email": "guest@example.com"},
            "checkIn": check_in.isoformat(),
            "checkOut": (check_in + dt.timedelta(days=2)).isoformat(),
            "rooms": 1,
            "paymentToken": args.token,
        }
        print(f"booking {booking_id}: 2 nights at {hotel.name}, token {args.token}")
        sfn = cloud.client("stepfunctions")
        arn = sfn.start_execution(
            stateMachineArn=stack.ref("BookingStateMachine"),
            name=booking_id,
            input=json.dumps(request),
        )["executionArn"]

        def manager() -> None:
            for _ in range(500):
                booking = bookings.get(booking_id)
                if booking and booking.status is BookingStatus.AWAITING_APPROVAL:
                    break
                if booking and booking.status.is_final:
                    return
                time.sleep(0.01)
            else:
                return
            if args.decision == "none":
                print(f"  (manager does nothing; approval times out in {args.approval_timeout} s)")
                return
            time.sleep(0.5)
            print(f"  (manager clicks {args.decision})", flush=True)
            decide(
                approvals,
                Executions(sfn),
                approval_id_for(booking_id),
                Decision(args.decision),
                "manager@example.com",
                "demo rejection" if args.decision == "reject" else None,
            )

        threading.Thread(target=manager, daemon=True).start()

        def on_event(event: dict[str, Any]) -> None:
            line = describe_event(event)
            if line:
                print(line, flush=True)

        desc = follow(sfn, arn, on_event, timeout=args.approval_timeout + 120)
        booking = bookings.get(booking_id)
        assert booking is not None
        print(
            f"booking {booking_id}: {booking.status.value}"
            + (f" ({booking.reason.value})" if booking.reason else "")
            + f"; execution {desc['status']}"
        )
        topics = {
            "the hotel's topic": stack.outputs["HotelTopicArnPrefix"] + hotel.hotelId,
            "OperationsAlertsTopic": stack.ref("OperationsAlertsTopic"),
        }
        for label, topic_arn in topics.items():
            for message in cloud.sns_messages(topic_arn):
                print(f"  ✉ {label}: {message['Subject']}")
        for mail in cloud.ses_messages():
            print(f"  ✉ SES to {', '.join(mail['To'])}: {mail['Subject']}")
    return 0
