"""`make run`'s log: one whole line per record however many threads log at once, static files
only with VERBOSE=1."""

from __future__ import annotations

import io
import re
import threading
import time
from pathlib import Path

from werkzeug.test import Client

from devstack.run import ConsoleLog
from devstack.web import WebServer
from localaws.aws.mail import Mailbox

ROOT = Path(__file__).resolve().parents[2]


class SlowStream(io.StringIO):
    """A terminal that lets other threads run between any two writes, and counts them."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, s: str) -> int:
        self.writes.append(s)
        time.sleep(0)
        return super().write(s)


def test_records_from_many_threads_are_never_glued() -> None:
    stream = SlowStream()
    log = ConsoleLog(stream, clock=lambda: "12:00:00")

    def worker(n: int) -> None:
        for i in range(200):
            log(f"API GET /hotels/{n}-{i} → 200 (3 ms)")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 8 * 200
    assert all(re.fullmatch(r"12:00:00 API GET /hotels/\d-\d+ → 200 \(3 ms\)", x) for x in lines)
    assert all(w.count("\n") == 1 and w.endswith("\n") for w in stream.writes)


def test_print_writes_a_record_and_its_newline_apart() -> None:
    # Why the old log glued records: another thread can write between these two.
    stream = SlowStream()
    print("λ   ReserveRoom: ok", file=stream)
    assert stream.writes == ["λ   ReserveRoom: ok", "\n"]


def test_a_record_over_several_lines_reads_as_one() -> None:
    stream = io.StringIO()
    ConsoleLog(stream, clock=lambda: "12:00:00")("λ   Notify printed:\n{a}\n{b}")
    assert stream.getvalue() == "12:00:00 λ   Notify printed:\n    {a}\n    {b}\n"


def requests_logged(verbose: bool) -> list[str]:
    lines: list[str] = []
    web = WebServer(ROOT / "hotel", {}, Mailbox(), lines.append, verbose=verbose)
    client = Client(web)
    for path in ("/hotel/index.html", "/hotel/config.json", "/mailbox/messages.json"):
        assert client.get(path).status_code == 200
    client.post("/mailbox/")
    return lines


def test_static_files_and_polls_are_not_logged_by_default() -> None:
    assert requests_logged(verbose=False) == ["WEB POST /mailbox/ → 200"]


def test_verbose_logs_every_web_request() -> None:
    assert len(requests_logged(verbose=True)) == 4
