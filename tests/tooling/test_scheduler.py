"""The scheduler behind EventBridge's asynchronous targets and Lambda's async retries."""

from __future__ import annotations

import threading

from localaws.events.scheduler import Scheduler


def test_jobs_run_in_the_order_they_fall_due() -> None:
    scheduler = Scheduler()
    scheduler.start()
    ran: list[str] = []
    done = threading.Event()
    try:
        scheduler.call_later(0.2, lambda: (ran.append("later"), done.set()))
        scheduler.call_soon(lambda: ran.append("soon"))
        assert done.wait(10)
        assert ran == ["soon", "later"]
    finally:
        scheduler.stop()


def test_a_failing_job_does_not_stop_the_others() -> None:
    scheduler = Scheduler()
    scheduler.start()
    done = threading.Event()
    try:
        scheduler.call_soon(lambda: 1 / 0)  # type: ignore[func-returns-value]
        scheduler.call_soon(done.set)
        assert done.wait(10)
    finally:
        scheduler.stop()


def test_stop_drops_what_is_not_due_and_ends_the_dispatcher() -> None:
    scheduler = Scheduler(name="scheduler-under-test")
    scheduler.start()
    ran = threading.Event()
    scheduler.call_later(3600, ran.set)
    assert scheduler.busy
    scheduler.stop()
    assert not scheduler.busy
    assert not any(t.name == "scheduler-under-test" and t.is_alive() for t in threading.enumerate())
    scheduler.call_soon(ran.set)  # after stop: ignored
    assert not ran.is_set()
