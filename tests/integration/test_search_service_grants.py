"""Every AWS call the search service makes is allowed by its task role (SearchTaskRole).

IAM is not enforced locally (and the service runs in processes the session's CallRecorder does
not see), so the service's store runs here, in-process, against the local stack, with every
botocore call recorded as the (action, resource) pairs IAM checks; presigned picture URLs are
checked as the GetObject they stand for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.client import BaseClient

from devstack.run import LocalStack, demo_picture, multipart
from search_service.settings import ServiceSettings
from search_service.store import Store
from tests.fixtures.iam_calls import allowed, permissions


class Recorder:
    """The calls made on one thread while it is switched on (the local stack's own threads
    and the in-process Lambdas call AWS too)."""

    def __init__(self) -> None:
        self.needs: set[tuple[str, str]] = set()
        self.thread: int | None = None

    @contextlib.contextmanager
    def on(self) -> Iterator[None]:
        self.thread = threading.get_ident()
        try:
            yield
        finally:
            self.thread = None


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    original = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if recorder.thread == threading.get_ident():
            model = client.meta.service_model
            prefix = model.signing_name or model.endpoint_prefix
            recorder.needs |= permissions(prefix, operation, params, client.meta.region_name)
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return recorder


def test_every_call_of_the_search_service_is_allowed_by_its_task_role(
    local_stack: LocalStack, recorder: Recorder
) -> None:
    assert local_stack.stack is not None and local_stack.search is not None
    token = local_stack.login("admin@example.com")
    fields = {
        "name": "Grant Rooms",
        "city": "Leuven",
        "stars": "3",
        "pricePerNight": "90.00",
        "rooms": "2",
        "managerEmail": "grant.manager@example.com",
    }
    local_stack.create_user(fields["managerEmail"], "Grant Manager", "HotelManager")
    body, content_type = multipart(
        fields, [("picture", "p.png", "image/png", demo_picture((10, 20, 30), 8, 8))]
    )
    created = requests.post(
        f"{local_stack.api_url}/hotels",
        data=body,
        headers={"Authorization": token, "Content-Type": content_type},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    local_stack.cloud.events.wait_quiet()  # the projection has the hotel

    environment = local_stack.search.task_environment(8000, local_stack.cloud.endpoint)
    store = Store(ServiceSettings.from_env(environment))
    check_in = dt.date.today() + dt.timedelta(days=20)
    with recorder.on():
        answers = [
            store.search({"city": "Leuven"}),
            store.search({"sort": "price", "maxPrice": "90"}),
            store.search(
                {
                    "city": "Leuven",
                    "checkIn": check_in.isoformat(),
                    "checkOut": (check_in + dt.timedelta(days=2)).isoformat(),
                }
            ),
        ]
        store.ping()
    recorded = recorder.needs
    assert all(answer["items"] for answer in answers)
    pictured = [h for answer in answers for h in answer["items"] if h["imageUrl"]]
    assert pictured  # other tests' hotels in this stack may have no picture
    for hotel in pictured:
        # Path-style (bucket in the path) or virtual-hosted (bucket in the host name).
        url = urllib.parse.urlsplit(hotel["imageUrl"])
        bucket = environment["PICTURES_BUCKET"]
        assert bucket in url.netloc or url.path.startswith(f"/{bucket}/")
        key = url.path.lstrip("/").removeprefix(f"{bucket}/")
        recorded.add(("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}"))

    role = local_stack.stack.resources["SearchTaskRole"]
    policies = list(role.properties["Policies"])
    assert {a for a, _ in recorded} == {"dynamodb:Query", "dynamodb:GetItem", "s3:GetObject"}
    # The search projection (its indexes, its bucket list) and what the inventory holds:
    # the service reads no other table.
    search_table = environment["SEARCH_TABLE"]
    assert {r.split(":table/")[1] for a, r in recorded if a.startswith("dynamodb:")} == {
        search_table,
        environment["INVENTORY_TABLE"],
        *(f"{search_table}/index/{index}" for index in ("byCity", "byPrice")),
    }
    assert [need for need in sorted(recorded) if not allowed(policies, *need)] == []
    # And nothing more than that: the role grants no other action.
    granted = {
        action
        for policy in policies
        for statement in policy["PolicyDocument"]["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert granted == {"dynamodb:Query", "dynamodb:GetItem", "s3:GetObject"}
