"""Notify manager: Lambda entry point."""

from __future__ import annotations

import functools
from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_booking.config import NotifySettings
from hotel_booking.dal.secrets import SecretKey
from hotel_booking.handlers._common import (
    CORRELATION_PATH,
    build_ports,
    logger,
    metrics,
    run_step,
    tracer,
)
from hotel_booking.logic.saga import LinkSigner, notify_manager

SETTINGS = NotifySettings.from_env()
PORTS = build_ports(SETTINGS)
SIGNER = LinkSigner(
    base_url=SETTINGS.public_api_url,
    key=SecretKey(
        boto3.client("secretsmanager", region_name=SETTINGS.region), SETTINGS.approval_link_key_arn
    ).get,
)


@logger.inject_lambda_context(correlation_id_path=CORRELATION_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run_step(functools.partial(notify_manager, signer=SIGNER), event, PORTS)
