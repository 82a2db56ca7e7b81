"""The service's store: the ONE place search is called.

Everything the service answers comes through :func:`Store.search` (and :func:`Store.ping` for
the health check). Today it runs the product's search logic
(:func:`hotel_booking.logic.hotels.search_hotels`, the same code as the ``GET /hotels`` Lambda)
on the hotels and inventory tables; switching the service to another read model (the search
projection) means changing this module only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import boto3
from botocore.config import Config

from hotel_booking.dal.hotels import HotelsTable
from hotel_booking.dal.inventory import InventoryTable
from hotel_booking.dal.pictures import PictureStore
from hotel_booking.logic.hotels import HotelPorts, search_hotels
from hotel_booking.logic.ports import HotelBookings, Subscriptions, UserDirectory
from search_service.settings import ServiceSettings


class _NotUsedBySearch:
    """Search never reads bookings nor manager subscriptions (nor is the task role allowed to)."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"search does not use {name}: the service only reads the catalogue")


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
        s3 = boto3.client("s3", region_name=settings.region, config=config)
        self._dynamodb = dynamodb
        self._hotels_table = settings.hotels_table
        self._ports = HotelPorts(
            hotels=HotelsTable(dynamodb, settings.hotels_table),
            inventory=InventoryTable(dynamodb, settings.inventory_table),
            bookings=cast(HotelBookings, _NotUsedBySearch()),
            pictures=PictureStore(s3, settings.pictures_bucket),
            managers=cast(Subscriptions, _NotUsedBySearch()),
            directory=cast(UserDirectory, _NotUsedBySearch()),
        )

    def search(self, query: Mapping[str, str]) -> dict[str, Any]:
        """The answer of ``GET /hotels`` to this query string, as its JSON body."""
        return search_hotels(self._ports, None, query).body()

    def ping(self) -> None:
        """One cheap read of the table search scans (a call the task role already has)."""
        self._dynamodb.scan(TableName=self._hotels_table, Limit=1, Select="COUNT")
