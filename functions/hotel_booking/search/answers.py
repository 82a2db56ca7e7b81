"""Public hotel search: a query in, a page of hotels out, from the search projection.

The one implementation behind ``GET /hotels`` (the hotels function) and the search service
(``services/search``). It belongs to the read side: it needs the projection, picture URLs,
today and the stay horizon (:class:`SearchPorts`), never the hotels table, the REST API's
request parsing or the picture handling (so the search service's image holds no Pillow).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

from hotel_booking.clock import Clock
from hotel_booking.logic import inventory
from hotel_booking.logic.callers import Caller
from hotel_booking.logic.ports import Pictures
from hotel_booking.logic.problems import InvalidRequest, bad_page_token, validated
from hotel_booking.models.api.hotels import HotelList, HotelQuery, HotelView, StayQuery
from hotel_booking.search import query as search
from hotel_booking.search.model import BadPageToken, HotelDoc, SearchQuery
from hotel_booking.search.ports import SearchStore


class SearchPorts(Protocol):
    """What search needs, no more: the projection, picture URLs, today and the stay horizon.
    :class:`HotelPorts` has them; the search service (``services/search``) builds only these,
    so both answer a query with this one implementation."""

    @property
    def search(self) -> SearchStore: ...
    @property
    def pictures(self) -> Pictures: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def stay_horizon_days(self) -> int: ...


Q = TypeVar("Q", bound=StayQuery)


def stay_query(model: type[Q], query: Mapping[str, str], ports: SearchPorts) -> Q:
    """A query string that may ask for a stay (a search, one hotel's free rooms): its fields,
    and its dates by the one rule bookings follow too; a 400 names each bad field."""
    q = validated(model, dict(query))
    problems = inventory.stay_problems(
        q.checkIn, q.checkOut, ports.clock(), ports.stay_horizon_days
    )
    if problems:
        raise InvalidRequest.fields(problems)
    return q


def search_hotels(ports: SearchPorts, caller: Caller | None, query: Mapping[str, str]) -> HotelList:
    q = stay_query(HotelQuery, query, ports)
    try:
        page = search.search(ports.search, SearchQuery.model_validate(q, from_attributes=True))
    except BadPageToken as exc:
        raise bad_page_token(str(exc)) from exc
    return HotelList(
        items=[found(ports, doc, caller) for doc in page.items], nextToken=page.nextToken
    )


def found(ports: SearchPorts, doc: HotelDoc, caller: Caller | None) -> HotelView:
    """A search result: the projection holds no manager email, so nobody sees one here."""
    return HotelView.of(doc, ports.pictures.url(doc.imageKey) if doc.imageKey else None)
