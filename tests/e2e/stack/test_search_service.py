"""The search service as `make run` runs it: two tasks (the container's entry command as
processes) registered in Cloud Map, behind the local HTTP API, over real HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from deploy.artifacts import image_venv
from devstack.run import LocalStack
from devstack.search import ENTRY_COMMAND
from localaws.cloud import free_port
from localaws.gateways.ecs_tasks import LocalEcsService, LocalTask
from support_console import services as services_cli

HOTEL: dict[str, Any] = {
    "name": "Search Rooms",
    "city": "Ghent",
    "stars": 4,
    "pricePerNight": "110.00",
    "rooms": 2,
    "managerEmail": "search.manager@example.com",
}


@pytest.fixture(scope="module")
def service(local_stack: LocalStack) -> LocalEcsService:
    assert local_stack.search is not None
    return local_stack.search


@pytest.fixture(scope="module")
def hotel(local_stack: LocalStack) -> dict[str, Any]:
    token = local_stack.login("admin@example.com")
    local_stack.create_user(HOTEL["managerEmail"], "Search Manager", "HotelManager")
    resp = requests.post(
        f"{local_stack.api_url}/hotels", json=HOTEL, headers={"Authorization": token}, timeout=30
    )
    assert resp.status_code == 201, resp.text
    local_stack.cloud.events.wait_quiet()  # search reads the projection
    return dict(resp.json())


def running(service: LocalEcsService) -> list[LocalTask]:
    return [t for t in service.tasks if t.registered.is_set() and not t.exited.is_set()]


def log_records(task: LocalTask) -> list[dict[str, Any]]:
    records = []
    for line in task.output():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """The tasks' output reaches the test through a pipe and a reader thread: a line the task
    wrote before answering may be read a moment after the answer."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def served_ids(task: LocalTask) -> set[str]:
    return {
        r["correlation_id"]
        for r in log_records(task)
        if r.get("message") == "request" and r.get("path") == "/search"
    }


def test_two_tasks_are_registered_in_cloud_map_as_the_template_declares(
    local_stack: LocalStack, service: LocalEcsService
) -> None:
    assert service.desired_count == 2
    assert len(running(service)) == 2
    sd = local_stack.cloud.client("servicediscovery")
    namespace = sd.get_namespace(Id=local_stack.stack.ref("SearchNamespace"))["Namespace"]
    assert namespace["Name"] == "hotel-booking.internal"
    assert namespace["Type"] == "DNS_PRIVATE"
    registry = sd.get_service(Id=service.discovery_service_id)["Service"]
    assert registry["Name"] == "search"
    assert registry["DnsConfig"]["DnsRecords"] == [{"Type": "SRV", "TTL": 10}]
    instances = service.instances()
    assert sorted(i.health for i in instances) == ["HEALTHY", "HEALTHY"]
    assert {i.address for i in instances} == {f"127.0.0.1:{t.port}" for t in running(service)}


def test_the_support_console_lists_the_tasks_and_their_health(
    local_stack: LocalStack, service: LocalEcsService
) -> None:
    listed = requests.get(f"{local_stack.web_url}/console/api/services", timeout=10).json()
    tasks = {t.instance_id: f"127.0.0.1:{t.port}" for t in running(service)}
    assert {(i["id"], i["address"], i["health"]) for i in listed["instances"]} == {
        (task, address, "HEALTHY") for task, address in tasks.items()
    }
    page = requests.get(f"{local_stack.web_url}/console/services", timeout=10)
    assert page.status_code == 200
    assert "2 of 2 tasks healthy" in page.text
    assert all(task in page.text for task in tasks)


def test_the_console_cli_lists_the_tasks(
    capsys: pytest.CaptureFixture[str], local_stack: LocalStack, service: LocalEcsService
) -> None:
    assert services_cli.main(["--endpoint", local_stack.aws_url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["instances"]
    assert {(i["id"], i["health"]) for i in listed} == {
        (t.instance_id, "HEALTHY") for t in running(service)
    }
    assert services_cli.main(["--endpoint", local_stack.aws_url]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 of 2 tasks healthy"
    assert services_cli.main(["--endpoint", local_stack.aws_url, "--stack-name", "other"]) == 2
    assert "--stack-name" in capsys.readouterr().err


def test_search_through_the_http_api_answers_as_get_hotels_and_reaches_both_tasks(
    local_stack: LocalStack, service: LocalEcsService, hotel: dict[str, Any]
) -> None:
    query = {"city": "ghent", "minStars": "4"}
    expected = requests.get(f"{local_stack.api_url}/hotels", params=query, timeout=10)
    assert expected.status_code == 200
    answers = [requests.get(local_stack.search_url, params=query, timeout=10) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 6
    assert all(a.json() == expected.json() for a in answers)
    assert [h["hotelId"] for h in answers[0].json()["items"]] == [hotel["hotelId"]]
    # Each answer names its request; each task logged some of them.
    ids = {a.headers["apigw-requestid"] for a in answers}
    assert all(a.headers["X-Correlation-Id"] == a.headers["apigw-requestid"] for a in answers)
    tasks = running(service)
    eventually(lambda: set().union(*(served_ids(t) for t in tasks)) >= ids)
    per_task = [served_ids(t) & ids for t in tasks]
    assert all(per_task), per_task
    assert set().union(*per_task) == ids


def test_a_refused_search_is_the_same_400_as_get_hotels(local_stack: LocalStack) -> None:
    query = {"checkIn": "2020-01-01"}
    expected = requests.get(f"{local_stack.api_url}/hotels", params=query, timeout=10)
    got = requests.get(local_stack.search_url, params=query, timeout=10)
    assert (got.status_code, got.json()) == (expected.status_code, expected.json())
    assert got.status_code == 400


def test_logs_carry_the_callers_correlation_id(service: LocalEcsService) -> None:
    task = running(service)[0]
    resp = requests.get(
        f"{task.url}/search", headers={"X-Correlation-Id": "corr-test-4711"}, timeout=10
    )
    assert resp.status_code == 200
    assert resp.headers["X-Correlation-Id"] == "corr-test-4711"

    def mine() -> list[dict[str, Any]]:
        return [r for r in log_records(task) if r.get("correlation_id") == "corr-test-4711"]

    eventually(lambda: bool(mine()) and any("_aws" in r for r in log_records(task)[-3:]))
    assert [(r["message"], r["path"], r["status"]) for r in mine()] == [("request", "/search", 200)]
    # EMF metrics ride in the same stream (CloudWatch extracts them from the task's logs).
    emf = [r for r in log_records(task) if "_aws" in r and r.get("route") == "/search"]
    assert emf and emf[-1]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "HotelBooking"
    assert {"Requests", "Latency", "BreakerOpen"} <= set(emf[-1])


def test_the_search_page_is_given_the_search_url(local_stack: LocalStack) -> None:
    config = requests.get(f"{local_stack.web_url}/hotel/config.json", timeout=10).json()
    assert config["searchUrl"] == local_stack.search_url
    preflight = requests.options(
        local_stack.search_url,
        headers={"Origin": local_stack.web_url, "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == local_stack.web_url
    resp = requests.get(local_stack.search_url, headers={"Origin": local_stack.web_url}, timeout=10)
    assert resp.headers["Access-Control-Allow-Origin"] == local_stack.web_url


def test_killing_a_task_loses_no_request(local_stack: LocalStack, service: LocalEcsService) -> None:
    victim, survivor = running(service)
    statuses: list[int] = []
    after_kill: list[requests.Response] = []
    killed = threading.Event()
    stop = threading.Event()

    def client() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                resp = session.get(local_stack.search_url, timeout=15)
                statuses.append(resp.status_code)
                if killed.is_set():
                    after_kill.append(resp)

    try:
        with ThreadPoolExecutor(8) as pool:
            clients = [pool.submit(client) for _ in range(8)]
            while len(statuses) < 40:
                time.sleep(0.02)
            victim.process.kill()  # as a task crashing, mid-traffic
            killed.set()
            while len(after_kill) < 40:
                time.sleep(0.02)
            stop.set()
            for c in clients:
                c.result()
        assert set(statuses) == {200}
        # After the switch-over nothing goes to the victim: the survivor (and, once it is up,
        # the task replacing the victim) served the last requests.
        last = {r.headers["apigw-requestid"] for r in after_kill[-10:]}

        def others() -> set[str]:
            return set().union(*(served_ids(t) for t in service.tasks if t is not victim))

        eventually(lambda: last <= others())
        assert last <= others() and not last & served_ids(victim)
        assert victim.exited.wait(10)
    finally:
        stop.set()
    # As ECS does, the dead task leaves Cloud Map and a new one replaces it (desired count 2).
    deadline = time.monotonic() + 60
    while True:
        tasks = {i.id: i.health for i in service.instances()}
        if victim.instance_id not in tasks and len(tasks) == 2:
            break
        assert time.monotonic() < deadline, tasks
        time.sleep(0.1)
    assert sorted(tasks.values()) == ["HEALTHY", "HEALTHY"]
    assert survivor.instance_id in tasks
    replacements = [t.instance_id for t in running(service) if t not in (survivor, victim)]
    assert replacements == [i for i in tasks if i != survivor.instance_id]


class FlakyStore:
    """A TCP proxy to the emulator that the test can cut: the store, failing and recovering."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.up = threading.Event()
        self.up.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        self.up.clear()
        with self._lock:
            for s in self._open:
                s.close()
            self._open.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                s.close()


@pytest.fixture
def flaky_task(
    local_stack: LocalStack, service: LocalEcsService
) -> Iterator[tuple[str, FlakyStore, list[str]]]:
    """One more task of the service (not registered: the other tests' traffic stays away),
    whose store is reached through :class:`FlakyStore`."""
    store = FlakyStore(local_stack.cloud.port)
    port = free_port()
    env = service.task_environment(port, f"http://127.0.0.1:{store.port}")
    env |= {"BREAKER_FAIL_MAX": "2", "BREAKER_RESET_SECONDS": "1", "STORE_TIMEOUT_SECONDS": "1"}
    process = subprocess.Popen(
        [sys.executable, *ENTRY_COMMAND[1:]],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/live", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            assert process.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
    try:
        yield url, store, lines
    finally:
        process.terminate()
        process.wait(10)
        reader.join(5)
        store.close()


def test_a_failing_store_opens_the_breaker_and_it_closes_again(
    flaky_task: tuple[str, FlakyStore, list[str]],
) -> None:
    url, store, lines = flaky_task
    assert requests.get(f"{url}/search", timeout=10).status_code == 200
    store.cut()
    failing = [requests.get(f"{url}/search", timeout=30) for _ in range(4)]
    # Never a 500, never a hang: each one a 503 the caller may retry.
    assert [r.status_code for r in failing] == [503] * 4
    assert all(int(r.headers["Retry-After"]) >= 1 for r in failing)
    assert all(r.json()["message"] for r in failing)
    health = requests.get(f"{url}/health", timeout=10)
    assert (health.status_code, health.json()["breaker"]) == (503, "open")

    store.restore()
    deadline = time.monotonic() + 20
    while (resp := requests.get(f"{url}/search", timeout=10)).status_code != 200:
        assert resp.status_code == 503 and time.monotonic() < deadline
        time.sleep(0.2)
    assert requests.get(f"{url}/health", timeout=10).json()["breaker"] == "closed"

    def changes() -> list[tuple[str, str]]:
        return [
            (r["from"], r["to"])
            for r in map(_json_or_none, list(lines))
            if r and r.get("message") == "store breaker changed"
        ]

    eventually(lambda: changes()[-1:] == [("half-open", "closed")])
    assert changes()[0] == ("closed", "open")
    assert changes()[-2:] == [("open", "half-open"), ("half-open", "closed")]


def _json_or_none(line: str) -> dict[str, Any] | None:
    try:
        return dict(json.loads(line))
    except ValueError:
        return None


def test_the_tasks_run_from_the_image_s_environment(service: LocalEcsService) -> None:
    """What `make run` serves is what the image holds: Python 3.13 and exactly
    services/search/requirements.txt, the code alone on the path, not the dev venv."""
    task = running(service)[0]
    assert service.python == str(image_venv() / "bin" / "python")
    version = subprocess.run(
        [f"/proc/{task.process.pid}/exe", "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "(3, 13)"
    env = service.task_environment(free_port(), "http://127.0.0.1:1")
    for absent in ("PIL", "moto", "localaws", "devstack"):
        found = subprocess.run(
            [service.python, "-c", f"import {absent}"],
            capture_output=True,
            env=env,
            cwd=service.cwd,
            check=False,
        )
        assert found.returncode != 0, f"{absent} is importable in the search tasks' environment"
    assert (
        subprocess.run(
            [service.python, "-c", "import search_service.app, hotel_booking.search"],
            env=env,
            cwd=service.cwd,
            check=False,
        ).returncode
        == 0
    )
