"""What deploys, built here and started as AWS starts it (issue 20).

Each function's artifact as ``sam build`` makes it from template.yaml (its CodeUri copied, its
layers built by their BuildMethod) imports its handler in a clean CPython 3.13 that holds only
that and the runtime's boto3/botocore, with the function's environment as the local stack
resolved it from the template. The search service's image environment (a venv from exactly its
requirements.txt, the code where the Dockerfile puts it) answers ``/live`` and ``/health``
against the local stack. Slow parts are cached under .venv/artifacts (deploy/artifacts.py).
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from deploy import artifacts
from deploy.artifacts import ArtifactError, FunctionSpec, ImportResult
from devstack.run import LocalStack
from localaws.cloud import free_port

PICTURE_FUNCTIONS = {"HotelsApiFunction"}
PAGE_FUNCTIONS = {"ApprovalsFunction"}


@pytest.fixture(scope="module")
def python313() -> str:
    try:
        return artifacts.runtime_python()
    except ArtifactError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def runtime(python313: str) -> Path:
    return artifacts.lambda_runtime(python313)


def imported(
    fn: FunctionSpec, scratch: Path, python313: str, runtime: Path, variables: dict[str, str]
) -> ImportResult:
    paths = artifacts.function_paths(fn, scratch, python313)
    return artifacts.import_handler(fn, paths, runtime, artifacts.lambda_environment(fn, variables))


def test_every_handler_imports_from_its_artifact_alone(
    local_stack: LocalStack, python313: str, runtime: Path, tmp_path: Path
) -> None:
    functions = artifacts.functions()
    assert len(functions) == 14
    specs = {f.logical_id: local_stack.cloud.runtime.spec(f.logical_id) for f in functions}
    # Layers are built once (cached), then the imports run two at a time (two cores).
    for fn in functions:
        artifacts.function_paths(fn, tmp_path, python313)
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda fn: imported(
                    fn, tmp_path, python313, runtime, specs[fn.logical_id].environment
                ),
                functions,
            )
        )
    problems = [r.problem() for r in results if r.problem()]
    assert problems == [], "\n".join(str(p) for p in problems)
    # Pillow loads only where pictures are handled; botocore is the runtime's (the tested one).
    assert {r.function for r in results if r.loads_pillow} <= PICTURE_FUNCTIONS
    runtime_site = str(runtime)
    assert [r.function for r in results if not str(r.botocore_from).startswith(runtime_site)] == []
    # What keeps cold starts short (docs/performance.md), held without timing:
    others = [r for r in results if r.function not in PICTURE_FUNCTIONS]
    # no client made at import (each on first use), the picture function's S3 aside;
    assert {r.function: r.clients for r in others if r.clients} == {}
    # jinja2 only where a page is rendered;
    assert {r.function for r in results if "jinja2" in r.loaded} <= PAGE_FUNCTIONS
    # X-Ray records every AWS call, and the tracer patches nothing else (sqlite3 is one of
    # the fifteen libraries patch_all would import);
    assert [r.function for r in results if not r.traces_aws_calls] == []
    assert {r.function for r in results if "sqlite3" in r.loaded} == set()
    # the only validator built at import is the function's settings' (defer_build).
    assert {
        r.function: [m for m in r.built_models if not m.startswith("hotel_booking.config.")]
        for r in results
        if any(not m.startswith("hotel_booking.config.") for m in r.built_models)
    } == {}
    assert all(len(r.built_models) == 1 for r in results)


def test_a_missing_module_fails_naming_the_function_and_the_module(
    python313: str, runtime: Path, tmp_path: Path
) -> None:
    code = tmp_path / "src"
    (code / "app").mkdir(parents=True)
    (code / "app" / "__init__.py").write_text("")
    (code / "app" / "handler.py").write_text("import PIL\n\ndef lambda_handler(e, c): ...\n")
    fn = FunctionSpec("BrokenFunction", "app.handler.lambda_handler", code, layers=())
    result = imported(fn, tmp_path / "built", python313, runtime, {})
    assert result.missing == "PIL"
    problem = result.problem() or ""
    assert "BrokenFunction" in problem and "'PIL'" in problem


def test_no_codeuri_carries_a_requirements_file() -> None:
    """sam build would install it into every function sharing that CodeUri (all 14)."""
    for fn in artifacts.functions():
        assert not (fn.code_dir / "requirements.txt").exists(), fn.logical_id


def test_each_functions_code_ships_the_bytecode_of_every_module(
    python313: str, tmp_path: Path
) -> None:
    """/var/task is read-only: without it, each cold start compiles every module it imports."""
    functions = artifacts.functions()
    assert {fn.build_method for fn in functions} == {"makefile"}
    code = artifacts.function_paths(functions[0], tmp_path, python313)[0]
    sources = {p.relative_to(code).with_suffix("") for p in code.rglob("*.py")}
    compiled = {
        (p.parent.parent / p.name.split(".")[0]).relative_to(code)
        for p in code.rglob("*.cpython-313.pyc")
    }
    assert sources and sources == compiled


def test_the_layers_pin_exactly_what_the_tests_run() -> None:
    for layer in ("dependencies", "pictures"):
        path = artifacts.ROOT / "layers" / layer / "requirements.txt"
        for line in artifacts._requirement_lines(path):
            name, _, version = line.partition("==")
            assert version == importlib.metadata.version(name), f"{path.name} of {layer}: {line}"
    names = {
        line.partition("==")[0]
        for line in artifacts._requirement_lines(
            artifacts.ROOT / "layers" / "dependencies" / "requirements.txt"
        )
    }
    # The runtime's own: bundling any of them would shadow the runtime's copy.
    assert not names & {"boto3", "botocore", "s3transfer", "urllib3", "jmespath"}


# -- the search service's image ------------------------------------------------------------
@pytest.fixture(scope="module")
def image_task(
    local_stack: LocalStack, python313: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``python -m search_service`` from the image's environment, as a task of the stack."""
    venv = artifacts.image_venv(python313)
    app = artifacts.image_app(tmp_path_factory.mktemp("image") / "app")
    assert local_stack.search is not None
    port = free_port()
    env = local_stack.search.task_environment(port, local_stack.cloud.endpoint)
    env = {k: v for k, v in env.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env |= {"PYTHONPATH": str(app), "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the Dockerfile's
    process = subprocess.Popen(
        [str(venv / "bin" / "python"), "-m", "search_service"],
        cwd="/",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"the search image's entry command exited:\n{output[-3000:]}")
            try:
                requests.get(f"{url}/live", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("the search image's entry command did not listen within 60 s")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def test_the_search_image_answers_live_and_health(image_task: str) -> None:
    live = requests.get(f"{image_task}/live", timeout=10)
    assert live.status_code == 200, live.text
    health = requests.get(f"{image_task}/health", timeout=10)
    assert (health.status_code, health.json()["status"]) == (200, "ok"), health.text
    # A refused search is refused through the neutral error table, as GET /hotels refuses it.
    refused = requests.get(f"{image_task}/search", params={"minStars": "nine"}, timeout=10)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == "minStars"


def test_the_search_image_venv_holds_no_pillow(python313: str) -> None:
    venv = artifacts.image_venv(python313)
    found = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.util as u; print(u.find_spec('PIL'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "None"
