"""The fault matrix's booking rows: the booking saga's steps and compensations (a booking
the manager approves or rejects) under every kind of fault
(tests/integration/saga/fault_matrix.py says which, and what holds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localaws.cloud import LocalCloud
from tests.fixtures.api_client import ApiClient
from tests.integration.saga.fault_matrix import check_rows, deploy_matrix


@pytest.fixture(scope="module")
def matrix(cloud: LocalCloud) -> Iterator[ApiClient]:
    yield from deploy_matrix(cloud, "booking")


def test_every_cell_of_the_booking_rows_holds(matrix: ApiClient) -> None:
    check_rows(matrix, "booking")
