"""The approval-link signing key, read from Secrets Manager once per Lambda container."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


class SecretKey:
    def __init__(self, client: SecretsManagerClient, secret_arn: str) -> None:
        self._client = client
        self._arn = secret_arn
        self._value: bytes | None = None
        self._lock = threading.Lock()

    def get(self) -> bytes:
        """Fetched on first use and cached: a key rotation reaches new containers."""
        with self._lock:
            if self._value is None:
                resp = self._client.get_secret_value(SecretId=self._arn)
                self._value = str(resp["SecretString"]).encode()
            return self._value
