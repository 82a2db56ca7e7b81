"""Hotel pictures in a private bucket, shown to browsers through presigned GET URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def presign_config(endpoint_url: str | None = None) -> Config:
    """How presigned URLs must be made to work on AWS. Without it botocore presigns SigV2 on
    the global host (``bucket.s3.amazonaws.com``) in us-east-1, eu-west-1 and other regions,
    and buckets created since June 2020 refuse SigV2. SigV4 on the regional virtual host
    (``bucket.s3.<region>.amazonaws.com``) works for every bucket in every region; us-east-1
    needs ``us_east_1_regional_endpoint`` or it keeps the global host. An endpoint override
    (the local emulator) has no per-bucket host names: path style there."""
    return Config(
        signature_version="s3v4",
        s3={
            "addressing_style": "path" if endpoint_url else "virtual",
            "us_east_1_regional_endpoint": "regional",
        },
    )


def pictures_client(region: str, endpoint_url: str | None = None) -> S3Client:
    """The S3 client of the pictures store; on AWS nothing overrides the endpoint."""
    return boto3.client(
        "s3", region_name=region, endpoint_url=endpoint_url, config=presign_config(endpoint_url)
    )


class PictureStore:
    URL_SECONDS = 3600

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """The Content-Type stored with the object is the one S3 serves to the browser."""
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
