"""The local "ECS": runs an ECS service of the stack as plain processes, and registers each in
the emulator's Cloud Map as ECS registers its tasks.

Each task is the container's entry command (``command``: the Dockerfile's ``CMD``, which the
caller knows; no image is pulled) run with the task definition's environment, pointed at the
emulator. When its ``/live`` answers, it is registered in the service's Cloud Map service (IP,
port, HEALTHY; a stale registration of the same id is removed first: moto appends a duplicate
otherwise); when it exits, it is marked UNHEALTHY and deregistered, and a task that had been
running is replaced by a new one (the desired count). Idle, a task costs nothing: the threads
here block on the process and its output.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localaws.cloud import DUMMY_CREDENTIALS, free_port
from localaws.provision.deploy import Stack

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0
LOG_LINES = 2000


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: the task is stopped if `make run` dies without cleaning up (SIGKILL)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _lines() -> collections.deque[str]:
    return collections.deque(maxlen=LOG_LINES)


@dataclass(eq=False)
class LocalTask:
    """One running task: its process, port, Cloud Map instance id and recent output."""

    instance_id: str
    port: int
    process: subprocess.Popen[str]
    lines: collections.deque[str] = field(default_factory=_lines)
    registered: threading.Event = field(default_factory=threading.Event)
    exited: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> list[str]:
        return list(self.lines)


class LocalEcsService:
    """The tasks of one ``AWS::ECS::Service`` of a deployed stack."""

    def __init__(
        self,
        stack: Stack,
        client: Any,
        endpoint: str,
        service_logical_id: str,
        command: Sequence[str],
        pythonpath: Sequence[str] = (),
        log: Any = None,
        environment: dict[str, str] | None = None,
        python: str | None = None,
        cwd: Path = ROOT,
    ) -> None:
        """``command``: the container's CMD, its ``python`` run as ``python`` (the image's
        environment built on this machine; this interpreter if None); ``pythonpath``: folders
        (under the project root) the image's code lies in; ``cwd``: the image's WORKDIR."""
        self.stack = stack
        self.command = tuple(command)
        self.python = python or sys.executable
        self.cwd = cwd
        self.pythonpath = tuple(pythonpath)
        self._client = client
        self.endpoint = endpoint
        self._log = log or (lambda line: None)
        self._extra_env = environment or {}
        props = stack.resources[service_logical_id].properties
        self.name = stack.att(service_logical_id, "Name")
        self.cluster = str(props["Cluster"])
        self.desired_count = int(props.get("DesiredCount", 1))
        registry = props["ServiceRegistries"][0]
        self.discovery_service_id = str(registry["RegistryArn"]).rsplit("/", 1)[-1]
        task_definition = next(
            r for r in stack.of_type("AWS::ECS::TaskDefinition") if r.ref == props["TaskDefinition"]
        )
        container = next(
            c
            for c in task_definition.properties["ContainerDefinitions"]
            if c["Name"] == registry["ContainerName"]
        )
        self.container_environment = {e["Name"]: str(e["Value"]) for e in container["Environment"]}
        self.family = task_definition.properties.get("Family", task_definition.logical_id)
        self.tasks: list[LocalTask] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._next = 0
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix=f"ecs-{self.family}")

    # -- lifecycle ------------------------------------------------------------------------
    def start(self, count: int | None = None) -> LocalEcsService:
        """Start the tasks and return at once; :meth:`wait_ready` waits for their registration."""
        for _ in range(self.desired_count if count is None else count):
            self.start_task()
        return self

    def start_task(self) -> LocalTask:
        with self._lock:
            self._next += 1
            instance_id = f"{self.family}-task-{self._next}"
        port = free_port()
        # Spawned on one long-lived thread: the parent-death signal fires when the *thread*
        # that forked the task ends, and a replacement is started from a thread that does.
        process = self._spawner.submit(
            subprocess.Popen,
            [self.python if self.command[0] == "python" else self.command[0], *self.command[1:]],
            cwd=self.cwd,
            env=self.task_environment(port, self.endpoint),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            # Its own process group: Ctrl-C on `make run` reaches the stack, which deregisters
            # each task before stopping it (as ECS drains), not the tasks all at once.
            start_new_session=True,
        ).result()
        task = LocalTask(instance_id, port, process)
        with self._lock:
            self.tasks.append(task)
        threading.Thread(target=self._read, args=(task,), daemon=True).start()
        threading.Thread(target=self._run, args=(task,), daemon=True).start()
        return task

    def task_environment(self, port: int, endpoint: str) -> dict[str, str]:
        """The task definition's environment, on this machine: AWS is the emulator at
        ``endpoint``, the task listens on loopback ``port``. Another interpreter's venv gets
        nothing of this one's (as the image's ``PATH`` starts at its own venv)."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
        if self.python != sys.executable:
            inherited = {
                k: v for k, v in inherited.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")
            }
            own_bin = str(Path(self.python).parent)
            inherited["PATH"] = os.pathsep.join((own_bin, inherited.get("PATH", "/usr/bin:/bin")))
        return {
            **inherited,
            **self.container_environment,
            **DUMMY_CREDENTIALS,
            "AWS_REGION": self.stack.region,
            "AWS_DEFAULT_REGION": self.stack.region,
            "AWS_ENDPOINT_URL": endpoint,  # the container's AWS is the emulator
            "AWS_ENDPOINT_URL_S3": endpoint,  # as the local Lambdas: path-style picture URLs
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in self.pythonpath),
            "PYTHONUNBUFFERED": "1",
            **self._extra_env,
        }

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        for task in list(self.tasks):
            left = max(0.0, deadline - time.monotonic())
            if not task.registered.wait(left) or task.exited.is_set():
                tail = "\n".join(task.output()[-20:])
                raise RuntimeError(f"{task.instance_id} did not become ready:\n{tail}")

    def stop(self) -> None:
        self._stopping.set()
        tasks = list(self.tasks)
        for task in tasks:  # all told at once: each takes ~0.7 s to wind down
            self._signal_stop(task)
        for task in tasks:
            self._reap(task)
        self._spawner.shutdown(wait=False)

    def _signal_stop(self, task: LocalTask) -> None:
        """As ECS stops a task: deregister it first, then SIGTERM (_reap SIGKILLs a lingerer)."""
        self._deregister(task)
        if task.process.poll() is None:
            task.process.terminate()

    def _reap(self, task: LocalTask, timeout: float = 5.0) -> None:
        try:
            task.process.wait(timeout)
        except subprocess.TimeoutExpired:
            task.process.kill()
            task.process.wait()
        if task.process.stdout:
            task.process.stdout.close()

    # -- internals ------------------------------------------------------------------------
    def _read(self, task: LocalTask) -> None:
        assert task.process.stdout is not None
        with contextlib.suppress(ValueError, OSError):
            for line in task.process.stdout:
                task.lines.append(line.rstrip("\n"))

    def _run(self, task: LocalTask) -> None:
        if self._wait_live(task):
            self._register(task)
            self._log(f"ECS {self.name}: {task.instance_id} running on {task.url}")
        task.process.wait()
        task.exited.set()
        if not self._stopping.is_set():
            # ECS notices the stopped task: unhealthy at once, then deregistered.
            self._log(f"ECS {self.name}: {task.instance_id} exited ({task.process.returncode})")
            with contextlib.suppress(Exception):
                self._client.update_instance_custom_health_status(
                    ServiceId=self.discovery_service_id,
                    InstanceId=task.instance_id,
                    Status="UNHEALTHY",
                )
            self._deregister(task)
            if task.registered.is_set() and not self._stopping.is_set():
                # ECS keeps the desired count: a task that had been running is replaced.
                # (One that never came up is not: that would be a crash loop.)
                replacement = self.start_task()
                self._log(f"ECS {self.name}: {replacement.instance_id} replaces it")

    def _wait_live(self, task: LocalTask) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline and task.process.poll() is None:
            try:
                with urllib.request.urlopen(f"{task.url}/live", timeout=1) as resp:
                    if resp.status == 200:
                        return True
            except OSError:
                pass
            if self._stopping.wait(0.1):
                return False
        return False

    def _register(self, task: LocalTask) -> None:
        self._deregister(task)  # moto appends a duplicate for a re-registered id
        self._client.register_instance(
            ServiceId=self.discovery_service_id,
            InstanceId=task.instance_id,
            Attributes={
                "AWS_INSTANCE_IPV4": "127.0.0.1",
                "AWS_INSTANCE_PORT": str(task.port),
                "ECS_CLUSTER_NAME": self.cluster,
                "ECS_SERVICE_NAME": self.name,
                "ECS_TASK_DEFINITION_FAMILY": self.family,
            },
        )
        # A custom health check starts HEALTHY on AWS; said explicitly, not left to moto.
        self._client.update_instance_custom_health_status(
            ServiceId=self.discovery_service_id, InstanceId=task.instance_id, Status="HEALTHY"
        )
        task.registered.set()

    def _deregister(self, task: LocalTask) -> None:
        sd = self._client
        with contextlib.suppress(sd.exceptions.InstanceNotFound):
            for _ in range(10):  # bounded: every duplicate moto may hold
                if not any(
                    i["Id"] == task.instance_id
                    for i in sd.list_instances(ServiceId=self.discovery_service_id)["Instances"]
                ):
                    return
                sd.deregister_instance(
                    ServiceId=self.discovery_service_id, InstanceId=task.instance_id
                )
