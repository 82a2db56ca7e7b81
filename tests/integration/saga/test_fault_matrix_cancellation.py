"""The fault matrix's cancellation rows: the cancellation saga's steps (a confirmed booking
the guest cancels) under every kind of fault
(tests/integration/saga/fault_matrix.py says which, and what holds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localaws.cloud import LocalCloud
from tests.fixtures.api_client import ApiClient
from tests.integration.saga.fault_matrix import check_rows, deploy_matrix


@pytest.fixture(scope="module")
def matrix(cloud: LocalCloud) -> Iterator[ApiClient]:
    yield from deploy_matrix(cloud, "cancellation")


def test_every_cell_of_the_cancellation_rows_holds(matrix: ApiClient) -> None:
    check_rows(matrix, "cancellation")
