"""Every search feature on an in-memory store (no AWS): city prefix and name text without
regard to case or accents, minimum stars, maximum price, free rooms on every night, the three
sorts, and pages cut by an opaque token."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal

import pytest

from hotel_booking.search.model import BadPageToken, HotelDoc, SearchQuery, SortBy
from hotel_booking.search.query import search
from hotel_booking.search.text import fold

NIGHT = dt.date(2030, 7, 1)


def doc(
    hotel_id: str, name: str, city: str, stars: int, price: str, rooms: int = 2, **booked: int
) -> HotelDoc:
    return HotelDoc(
        hotelId=hotel_id,
        name=name,
        city=city,
        stars=stars,
        pricePerNight=Decimal(price),
        currency="EUR",
        rooms=rooms,
        version=1,
        booked={k.replace("_", "-")[1:]: v for k, v in booked.items()},
    )


HOTELS = [
    doc("h1", "Hôtel de la Plage", "Málaga", 4, "120.00"),
    doc("h2", "Casa Azul", "Malaga", 3, "80.00"),
    doc("h3", "Grand Palace", "Madrid", 5, "300.00", rooms=1, d2030_07_02=1),
    doc("h4", "Straßenhaus", "München", 2, "60.00"),
    doc("h5", "Plage Bleue", "Marseille", 4, "95.00"),
]


class Store:
    def __init__(self, docs: list[HotelDoc]) -> None:
        self.docs = docs
        self.asked: list[tuple[str | None, Decimal | None]] = []

    def candidates(self, city_prefix: str | None, max_price: Decimal | None) -> list[HotelDoc]:
        self.asked.append((city_prefix, max_price))
        return list(self.docs)  # more than asked: the query filters again


def ids(**query: object) -> list[str]:
    return [d.hotelId for d in search(Store(HOTELS), SearchQuery.model_validate(query)).items]


def test_text_folds_case_and_accents() -> None:
    assert fold("  MÁLAGA  Centro ") == "malaga centro"
    assert fold("Straße") == "strasse"


def test_city_is_a_prefix_without_case_or_accents() -> None:
    assert set(ids(city="malaga")) == {"h1", "h2"}
    assert set(ids(city="MÁL")) == {"h1", "h2"}
    assert set(ids(city="ma")) == {"h1", "h2", "h3", "h5"}
    assert ids(city="munchen") == ["h4"]
    assert ids(city="lisbon") == []


def test_store_is_asked_with_the_folded_prefix_and_the_price_cap() -> None:
    store = Store(HOTELS)
    search(store, SearchQuery(city="Mál", maxPrice=Decimal("100")))
    assert store.asked == [("mal", Decimal("100"))]


def test_min_stars_and_max_price() -> None:
    assert set(ids(minStars=4)) == {"h1", "h3", "h5"}
    assert set(ids(maxPrice=Decimal("95"))) == {"h2", "h4", "h5"}
    assert ids(minStars=4, maxPrice=Decimal("100")) == ["h5"]


def test_name_words_anywhere_in_the_name() -> None:
    assert set(ids(name="plage")) == {"h1", "h5"}
    assert ids(name="hotel PLAGE") == ["h1"]  # every word, accents folded
    assert ids(name="strasse") == ["h4"]
    assert ids(name="nothing") == []


def test_available_for_dates_and_rooms() -> None:
    out = NIGHT + dt.timedelta(days=2)
    # h3 has one room and it is taken on 2 July.
    assert "h3" not in ids(checkIn=NIGHT, checkOut=out)
    assert "h3" in ids(checkIn=NIGHT, checkOut=NIGHT + dt.timedelta(days=1))
    # Two rooms: only hotels with two free rooms every night.
    assert set(ids(checkIn=NIGHT, checkOut=out, rooms=2)) == {"h1", "h2", "h4", "h5"}
    assert ids(checkIn=NIGHT, checkOut=out, rooms=3) == []


def test_sorts() -> None:
    assert ids(sort=SortBy.PRICE) == ["h4", "h2", "h5", "h1", "h3"]
    assert ids(sort=SortBy.STARS) == ["h3", "h1", "h5", "h2", "h4"]  # ties by name
    assert ids(sort=SortBy.NAME) == ["h2", "h3", "h1", "h5", "h4"]
    assert ids() == ["h3", "h2", "h1", "h5", "h4"]  # by city, then name


@pytest.mark.parametrize("sort", [None, *SortBy])
def test_pages_cover_every_hotel_once_in_order(sort: SortBy | None) -> None:
    store = Store(HOTELS)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = search(store, SearchQuery(sort=sort, limit=2, nextToken=token))
        seen += [d.hotelId for d in page.items]
        pages += 1
        token = page.nextToken
        if token is None:
            break
    assert pages == 3
    assert seen == [d.hotelId for d in search(store, SearchQuery(sort=sort, limit=100)).items]


def test_a_page_token_survives_a_hotel_added_meanwhile() -> None:
    store = Store(list(HOTELS))
    first = search(store, SearchQuery(sort=SortBy.PRICE, limit=2))
    store.docs.append(doc("h0", "Cheap", "Porto", 1, "10.00"))  # before the cut
    second = search(store, SearchQuery(sort=SortBy.PRICE, limit=2, nextToken=first.nextToken))
    assert [d.hotelId for d in second.items] == ["h5", "h1"]


@pytest.mark.parametrize("token", ["garbage", "e30", "eyJzIjoibmFtZSIsImsiOlsxLDJdfQ"])
def test_a_token_that_is_not_ours_is_refused(token: str) -> None:
    with pytest.raises(BadPageToken):
        search(Store(HOTELS), SearchQuery(sort=SortBy.NAME, nextToken=token))


def test_a_token_of_another_sort_is_refused() -> None:
    page = search(Store(HOTELS), SearchQuery(sort=SortBy.PRICE, limit=1))
    with pytest.raises(BadPageToken):
        search(Store(HOTELS), SearchQuery(sort=SortBy.NAME, nextToken=page.nextToken))


def token_of(data: object) -> str:
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Issue 21 section 2: Decimal("NaN") passed the check, then failed inside the store's breaker.
@pytest.mark.parametrize(
    "key",
    [
        ["NaN", "a", "b"],
        ["sNaN", "a", "b"],
        ["-NaN", "a", "b"],
        ["Infinity", "a", "b"],
        ["-Infinity", "a", "b"],
        ["inf", "a", "b"],
        [12, "a", "b"],  # a price is written as a string
        [True, "a", "b"],
    ],
)
def test_a_price_token_that_is_not_a_finite_price_is_refused_before_the_store_is_asked(
    key: list[object],
) -> None:
    store = Store(HOTELS)
    token = token_of({"s": "price", "k": key})
    with pytest.raises(BadPageToken):
        search(store, SearchQuery(sort=SortBy.PRICE, nextToken=token))
    assert store.asked == []


def test_a_token_nested_thousands_deep_is_refused() -> None:
    raw = ("[" * 100_000).encode()
    token = base64.urlsafe_b64encode(raw).decode()
    with pytest.raises(BadPageToken):
        search(Store(HOTELS), SearchQuery(sort=SortBy.NAME, nextToken=token))
