"""The event functions' settings: the stream publisher and the search projector."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hotel_booking.config import EnvSettings


class PublisherSettings(EnvSettings):
    """EventPublisherFunction: which stream is which table, and the bus."""

    region: str = Field(alias="AWS_REGION")
    hotels_table: str = Field(alias="HOTELS_TABLE")
    bookings_table: str = Field(alias="BOOKINGS_TABLE")
    event_bus_name: Annotated[str, Field(min_length=1)] = Field(alias="EVENT_BUS_NAME")


class ProjectorSettings(EnvSettings):
    """SearchProjectorFunction writes the search projection only."""

    region: str = Field(alias="AWS_REGION")
    search_table: Annotated[str, Field(min_length=1)] = Field(alias="SEARCH_TABLE")
