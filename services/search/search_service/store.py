"""The service's store: the ONE place search is called.

Everything the service answers comes through :func:`Store.search` (and :func:`Store.ping` for
the health check). It runs the product's search (:func:`hotel_booking.search.answers.search_hotels`
over :mod:`hotel_booking.search`, the same code as the ``GET /hotels`` Lambda) on the search
projection (SearchTable, the CQRS read side): the service never reads the write tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from hotel_booking.clock import Clock, utc_now
from hotel_booking.dal.pictures import PictureStore, presign_config
from hotel_booking.logic.ports import Pictures
from hotel_booking.search.answers import search_hotels
from hotel_booking.search.dynamo import SearchTable
from hotel_booking.search.ports import SearchStore
from search_service.settings import ServiceSettings


@dataclass(frozen=True)
class _SearchPorts:
    """hotel_booking.search.answers.SearchPorts: the projection and picture URLs only."""

    search: SearchStore
    pictures: Pictures
    stay_horizon_days: int
    clock: Clock = utc_now


class Store:
    def __init__(self, settings: ServiceSettings) -> None:
        # Bounded: a store that does not answer costs at most ~2 x timeout, then the breaker
        # counts a failure; the service never hangs on it.
        config = Config(
            connect_timeout=settings.store_timeout_seconds,
            read_timeout=settings.store_timeout_seconds,
            retries={"max_attempts": 2, "mode": "standard"},
        )
        dynamodb = boto3.client("dynamodb", region_name=settings.region, config=config)
        # Picture URLs are presigned exactly as GET /hotels signs them (SigV4, regional).
        s3 = boto3.client(
            "s3",
            region_name=settings.region,
            endpoint_url=settings.s3_endpoint_url,
            config=presign_config(settings.s3_endpoint_url).merge(config),
        )
        self._table = SearchTable(dynamodb, settings.search_table, settings.inventory_table)
        self._ports = _SearchPorts(
            search=self._table,
            pictures=PictureStore(s3, settings.pictures_bucket),
            stay_horizon_days=settings.stay_horizon_days,
        )

    def search(self, query: Mapping[str, str]) -> dict[str, Any]:
        """The answer of ``GET /hotels`` to this query string, as its JSON body."""
        return search_hotels(self._ports, None, query).body()

    def ping(self) -> None:
        """One cheap read the task role already has: the projection's bucket list."""
        self._table.buckets("city")
