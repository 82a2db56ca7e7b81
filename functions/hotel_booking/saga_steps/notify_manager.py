"""Store the task token and email the hotel manager (saga step): Lambda entry point."""

from __future__ import annotations

import functools

import boto3

from hotel_booking.config import NotifySettings
from hotel_booking.dal.secrets import SecretKey
from hotel_booking.logic.links import LinkSigner
from hotel_booking.logic.saga import notify_manager
from hotel_booking.saga_steps._common import build_ports, step_handler

SETTINGS = NotifySettings.from_env()
SIGNER = LinkSigner(
    base_url=SETTINGS.public_api_url,
    key=SecretKey(
        boto3.client("secretsmanager", region_name=SETTINGS.region), SETTINGS.approval_link_key_arn
    ).get,
)

lambda_handler = step_handler(
    functools.partial(notify_manager, signer=SIGNER), build_ports(SETTINGS)
)
