"""Hotel pictures in a private bucket, shown to browsers through presigned GET URLs."""

from __future__ import annotations

from typing import Any


class PictureStore:
    URL_SECONDS = 3600

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self.bucket, Key=key)

    def url(self, key: str) -> str:
        """Signed locally: no request to S3."""
        return str(
            self._s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=self.URL_SECONDS,
            )
        )
