"""`python -m localaws up` deploys a SAM app of its own and serves it (issue 25)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

from localaws.cloud import free_port
from localaws.provision.parameters import ParameterError, parameters_for, parse_overrides

ROOT = Path(__file__).resolve().parents[2]
UP = [sys.executable, "-m", "localaws", "up"]
APP = ROOT / "tests" / "fixtures" / "samapps" / "upapp" / "template.yaml"


def test_overrides_take_both_forms_and_quotes() -> None:
    assert parse_overrides('A=1 B="two words"') == {"A": "1", "B": "two words"}
    assert parse_overrides(["ParameterKey=A,ParameterValue=x,y", "C="]) == {"A": "x,y", "C": ""}
    with pytest.raises(ParameterError, match="not Name=Value"):
        parse_overrides(["novalue"])


def test_samconfig_gives_the_stack_name_and_the_command_line_wins() -> None:
    settings, values = parameters_for(APP, ["Stage=cli", "Greeting=hi"])
    assert settings["stack_name"] == "up-app"
    assert values == {"Punctuation": "!", "Stage": "cli", "Greeting": "hi"}


def _rest(process: subprocess.Popen[str], timeout: float) -> str:
    """What the process printed after the lines _read_until returned, once it has ended."""
    process.wait(timeout=timeout)
    seen: queue.Queue[str | None] = process.seen  # type: ignore[attr-defined]
    out = []
    while (line := seen.get(timeout=timeout)) is not None:
        out.append(line)
    return "".join(out)


def _read_until(process: subprocess.Popen[str], text: str, timeout: float) -> list[str]:
    """The process's lines up to the first holding ``text``. A thread reads them (and keeps
    reading after, so the process never blocks on a full pipe): select() on a buffered text
    stream can miss lines already read into its buffer."""
    assert process.stdout is not None
    stream = process.stdout
    seen: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            seen.put(line)
        seen.put(None)

    threading.Thread(target=pump, daemon=True).start()
    process.seen = seen  # type: ignore[attr-defined]
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = seen.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            break
        lines.append(line)
        if text in line:
            return lines
    pytest.fail(f"no {text!r} within {timeout}s: {''.join(lines)}")


def test_up_serves_the_apps_apis_and_stops_on_sigterm() -> None:
    aws_port, api_port = free_port(), free_port()
    env = {**os.environ, "AWS_PORT": str(aws_port), "API_PORT": str(api_port)}
    process = subprocess.Popen(
        [*UP, "--template", str(APP), "--parameter-overrides", "Greeting=Hello"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        lines = _read_until(process, "ready", timeout=300)  # a loaded 2-core machine
        assert any("stack up-app" in line for line in lines), lines
        api = f"http://127.0.0.1:{api_port}"
        with urllib.request.urlopen(f"{api}/hello/Ana", timeout=60) as answer:
            assert answer.status == 200
            assert json.load(answer) == {"text": "Hello, Ana! (from samconfig)"}
        request = urllib.request.Request(f"{api}/greet", data=b'{"name": "Bo"}', method="POST")
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert json.load(answer) == {
                "text": "Hello, Bo! (from samconfig)",
                "routeKey": "POST /greet",
            }
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{api}/nowhere", timeout=30)
        assert missing.value.code == 404
        lam = boto3.client(
            "lambda",
            endpoint_url=f"http://127.0.0.1:{aws_port}",
            region_name="eu-west-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        names = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
        assert names == {"up-app-RestFunction", "up-app-HttpFunction"}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            rest = _rest(process, timeout=60)
        except (subprocess.TimeoutExpired, queue.Empty):
            os.killpg(process.pid, signal.SIGKILL)
            raise
    assert process.returncode == 0, rest
    assert "stopping" in rest


def test_up_refuses_a_template_it_cannot_deploy_with_one_clear_error() -> None:
    env = {**os.environ, "AWS_PORT": str(free_port()), "API_PORT": str(free_port())}
    unsupported = APP.parents[1] / "unsupported" / "template.yaml"
    done = subprocess.run(
        [*UP, "--template", str(unsupported)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "AWS::AmazonMQ::Broker: Broker" in done.stderr
    assert "Traceback" not in done.stderr
    assert "ready" not in done.stdout
