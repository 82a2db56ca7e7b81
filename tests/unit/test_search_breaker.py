"""The search service's circuit breaker: a failing store costs callers a quick 503 with
Retry-After, a refused request never counts against the store, and it recovers by itself."""

from __future__ import annotations

import time
from decimal import InvalidOperation

import pytest

from hotel_booking.logic.problems import InvalidRequest
from search_service.resilience import StoreBreaker, StoreUnavailable


class Store:
    def __init__(self) -> None:
        self.failing = False
        self.calls = 0

    def search(self) -> str:
        self.calls += 1
        if self.failing:
            raise ConnectionError("store down")
        return "hotels"


def test_store_failures_open_the_breaker_then_calls_no_longer_reach_the_store() -> None:
    store, changes = Store(), []
    breaker = StoreBreaker(fail_max=2, reset_seconds=30, on_change=changes.append)
    store.failing = True
    for _ in range(2):
        with pytest.raises(StoreUnavailable):
            breaker.call(store.search)
    assert (breaker.state, changes) == ("open", ["open"])
    with pytest.raises(StoreUnavailable) as exc:
        breaker.call(store.search)
    assert store.calls == 2
    assert 1 <= exc.value.retry_after <= 30


def test_a_refused_request_is_not_a_store_failure() -> None:
    breaker = StoreBreaker(fail_max=1, reset_seconds=30)

    def refuse() -> str:
        raise InvalidRequest.fields({"minStars": "too many"})

    for _ in range(3):
        with pytest.raises(InvalidRequest):
            breaker.call(refuse)
    assert breaker.state == "closed"


def test_after_the_reset_time_one_good_call_closes_it() -> None:
    store, changes = Store(), []
    breaker = StoreBreaker(fail_max=1, reset_seconds=0.05, on_change=changes.append)
    store.failing = True
    with pytest.raises(StoreUnavailable):
        breaker.call(store.search)
    store.failing = False
    time.sleep(0.1)
    assert breaker.call(store.search) == "hotels"
    assert (breaker.state, changes) == ("closed", ["open", "half-open", "closed"])


def test_only_a_store_failure_counts() -> None:
    # Issue 21: a NaN page token failed inside the breaker (decimal.InvalidOperation) and six
    # requests opened it for every guest.
    breaker = StoreBreaker(fail_max=1, reset_seconds=30)

    def not_the_store() -> str:
        raise InvalidOperation("comparison with NaN")

    for _ in range(3):
        with pytest.raises(StoreUnavailable):
            breaker.call(not_the_store)
    assert breaker.state == "closed"
    store = Store()
    store.failing = True
    with pytest.raises(StoreUnavailable):
        breaker.call(store.search)
    assert breaker.state == "open"
