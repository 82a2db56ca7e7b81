"""SSM parameters read with Powertools' parameters utility (a short per-container cache)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from hotel_booking.errors import TransientError

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


class OutageSwitch:
    """The sandbox gateway's outage switch: the parameter says ``on`` or ``off``.

    Read at most once per ``max_age`` seconds per container, so flipping it reaches every
    container within that time without a read per payment. An unreadable parameter (SSM
    throttling, a missing grant) is a TransientError: the step is retried, rather than the
    gateway silently assumed up or down.
    """

    def __init__(self, client: SSMClient, name: str, max_age: int) -> None:
        self._provider = SSMProvider(boto3_client=client)
        self._name = name
        self._max_age = max_age

    def __call__(self) -> bool:
        try:
            value = self._provider.get(self._name, max_age=self._max_age)
        except GetParameterError as exc:
            raise TransientError(f"the payment outage switch could not be read: {exc}") from exc
        return str(value).strip().lower() == "on"
