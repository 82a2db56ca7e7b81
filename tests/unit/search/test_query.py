"""Every search feature on an in-memory store (no AWS): city prefix and name text without
regard to case or accents, minimum stars, maximum price, free rooms on every night (rooms
held by bookings still in the saga count), the three sorts, pages cut by an opaque token, and
a bounded read per page whatever the store holds."""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from hotel_booking.search import keys
from hotel_booking.search.model import BadPageToken, HotelDoc, SearchQuery, SortBy
from hotel_booking.search.query import search
from hotel_booking.search.text import fold

NIGHT = dt.date(2030, 7, 1)


def doc(hotel_id: str, name: str, city: str, stars: int, price: str, rooms: int = 2) -> HotelDoc:
    return HotelDoc(
        hotelId=hotel_id,
        name=name,
        city=city,
        stars=stars,
        pricePerNight=Decimal(price),
        currency="EUR",
        rooms=rooms,
        version=1,
    )


HOTELS = [
    doc("h1", "Hôtel de la Plage", "Málaga", 4, "120.00"),
    doc("h2", "Casa Azul", "Malaga", 3, "80.00"),
    doc("h3", "Grand Palace", "Madrid", 5, "300.00", rooms=1),
    doc("h4", "Straßenhaus", "München", 2, "60.00"),
    doc("h5", "Plage Bleue", "Marseille", 4, "95.00"),
]


class Store:
    """The SearchStore port over a list: each sort's index is the list in order-key order."""

    def __init__(self, docs: list[HotelDoc], held: dict[str, dict[dt.date, int]] | None = None):
        self.docs = docs
        self.holds = held if held is not None else {"h3": {NIGHT + dt.timedelta(days=1): 1}}
        self.walks: list[tuple[str, str, str | None, int]] = []
        self.read = 0

    def walk(
        self, sort: str, prefix: str, after: str | None, budget: int, chunk: int
    ) -> Iterator[HotelDoc]:
        self.walks.append((sort, prefix, after, budget))
        index = sorted(
            (key, d) for d in self.docs if (key := keys.order_key(d, sort)).startswith(prefix)
        )
        start = 0 if after is None else bisect.bisect_right([k for k, _ in index], after)
        for _, d in index[start : start + budget]:
            self.read += 1
            yield d

    def held(self, hotel_id: str, nights: list[dt.date]) -> dict[dt.date, int]:
        return {n: c for n, c in self.holds.get(hotel_id, {}).items() if n in nights}


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


def test_a_city_prefix_walks_only_the_city_order_from_that_prefix() -> None:
    store = Store(HOTELS)
    search(store, SearchQuery(city="Mál", maxPrice=Decimal("100")))
    assert store.walks == [("city", "mal", None, 60)]
    search(store, SearchQuery(city="Mál", sort=SortBy.PRICE))
    assert store.walks[-1] == ("price", "", None, 60)  # the city is a filter on that order


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
    # h3 has one room and a booking holds it on 2 July (confirmed or still in the saga).
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


@pytest.mark.parametrize(
    "token", ["garbage", "e30", "eyJzIjoibmFtZSIsImsiOlsxLDJdfQ", "eyJzIjoibmFtZSIsImsiOiIifQ"]
)
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
    assert store.walks == [] and store.read == 0


def test_a_token_nested_thousands_deep_is_refused() -> None:
    raw = ("[" * 100_000).encode()
    token = base64.urlsafe_b64encode(raw).decode()
    with pytest.raises(BadPageToken):
        search(Store(HOTELS), SearchQuery(sort=SortBy.NAME, nextToken=token))


def test_a_hold_released_is_offered_again() -> None:
    store = Store(HOTELS, held={"h3": {NIGHT: 1}})
    stay = SearchQuery(checkIn=NIGHT, checkOut=NIGHT + dt.timedelta(days=1))
    assert "h3" not in [d.hotelId for d in search(store, stay).items]
    store.holds["h3"] = {NIGHT: 0}  # the saga released the room (rejected, expired, failed)
    assert "h3" in [d.hotelId for d in search(store, stay).items]


def many(n: int) -> list[HotelDoc]:
    return [
        doc(f"x{i:05d}", f"Hotel {i % 97}", f"City {i % 13}", 1 + i % 5, f"{50 + i % 400}.00")
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"city": "city 1"},
        {"sort": "price"},
        {"sort": "stars", "minStars": 5},
        {"name": "hotel 96"},
        {"sort": "name", "maxPrice": "51"},
        {"city": "c", "checkIn": NIGHT, "checkOut": NIGHT + dt.timedelta(days=2)},
    ],
)
def test_a_page_reads_at_most_three_pages_of_hotels_and_pages_on_to_every_match(
    query: dict[str, object],
) -> None:
    # Given 1,000 hotels, most of which a filter refuses
    docs = many(1000)
    store = Store(docs, held={})
    # When a client pages through with the default page of 20
    seen: list[str] = []
    token = None
    while True:
        before = store.read
        page = search(store, SearchQuery.model_validate(query | {"nextToken": token}))
        # Then no page reads more than 3 x 20 hotels (it may answer fewer than 20)
        assert store.read - before <= 60
        seen += [d.hotelId for d in page.items]
        token = page.nextToken
        if token is None:
            break
    # and the pages hold every match once, in the sort's order
    sort = str(query.get("sort", "city"))
    matches = sorted(search_all(docs, query), key=lambda d: keys.order_key(d, sort))
    assert seen == [d.hotelId for d in matches]
    assert len(seen) > 0


def search_all(docs: list[HotelDoc], query: dict[str, object]) -> list[HotelDoc]:
    """The matches by brute force: every hotel the filters let through."""
    q = SearchQuery.model_validate(query)
    out = []
    for d in docs:
        if q.city and not fold(d.city).startswith(fold(q.city)):
            continue
        if q.minStars and d.stars < q.minStars:
            continue
        if q.maxPrice is not None and d.pricePerNight > q.maxPrice:
            continue
        if q.name and not all(w in fold(d.name) for w in fold(q.name).split()):
            continue
        out.append(d)
    return out


def test_order_keys_fall_in_buckets_in_the_same_order() -> None:
    # Every sort's buckets keep the order of its keys, and a city prefix's buckets hold
    # every key that starts with it.
    docs = (
        many(300)
        + HOTELS
        + [
            doc("z1", "Ωmega", "Zürich", 3, "9999999.99"),
            doc("z2", "0 Hotel", "'s-Hertogenbosch", 3, "0.01"),
            doc("z3", "a", "A", 1, "1.00"),
            doc("z4", "Ä b", "Åre", 2, "10.00"),
        ]
    )
    for sort in keys.SORTS:
        ordered = sorted(keys.order_key(d, sort) for d in docs)
        buckets = [keys.bucket(sort, k) for k in ordered]
        assert buckets == sorted(buckets), sort
    for prefix in ["", "a", "ar", "z", "'", "cit", "city 1", "m"]:
        for d in docs:
            key = keys.order_key(d, "city")
            if key.startswith(prefix):
                assert keys.bucket("city", key) in keys.prefix_buckets(prefix), (prefix, key)
