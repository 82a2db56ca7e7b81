"""What ``sam build`` deploys, built on this machine and run as AWS runs it.

The tests (tests/integration/deploy/test_artifacts.py) and the benchmark
(benchmarks/artifacts_bench.py) use this to check that what deploys starts: each function's
artifact (its ``CodeUri`` copied as ``sam build`` copies it, plus the layers the template gives
it, built by their own ``BuildMethod``) imported in a clean CPython 3.13 holding only that and
the boto3/botocore the Lambda runtime provides; and the search service's image environment (a
clean venv from exactly ``services/search/requirements.txt``, the code where the Dockerfile
puts it).

What is slow is cached under ``.venv/artifacts/``, keyed by a hash of what it is built from
(requirements, Makefile, interpreter): a venv or a layer is built once, then reused.
Packages come through uv (the project's installer, with its cache); a makefile layer runs its
own Makefile target with ``PIP``/``TARGET`` set for this machine instead of arm64.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
CACHE = ROOT / ".venv" / "artifacts"
RUNTIME_PYTHON = "3.13"  # template.yaml Globals Runtime python3.13; the image's python:3.13.9
#: What ``sam build``'s Python builder leaves out of a copied CodeUri.
COPY_IGNORED = ("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", "requirements.txt")
#: The image's Dockerfile: source folder -> where it lands under /app (PYTHONPATH).
IMAGE_LAYOUT = {
    "functions/hotel_booking": "hotel_booking",
    "services/search/search_service": "search_service",
}
IMAGE_REQUIREMENTS = ROOT / "services" / "search" / "requirements.txt"


class ArtifactError(RuntimeError):
    """A build step failed, or something it needs is missing on this machine."""


@dataclass(frozen=True)
class LayerSpec:
    logical_id: str
    content_dir: Path
    build_method: str | None


@dataclass(frozen=True)
class FunctionSpec:
    """One function as the template declares it (Globals applied, SAM's way)."""

    logical_id: str
    handler: str
    code_dir: Path
    layers: tuple[LayerSpec, ...]
    #: ``Metadata.BuildMethod``: ``makefile`` compiles the code's bytecode (functions/Makefile).
    build_method: str | None = None


# -- the template --------------------------------------------------------------------------
def _ref(value: Any) -> str | None:
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return str(value["Ref"])
    return None


def functions(template: Path = TEMPLATE) -> list[FunctionSpec]:
    """Every ``AWS::Serverless::Function``: its handler, CodeUri and layers. SAM adds a
    function's ``Layers`` to the Globals' (lists are additive); a layer's build is its
    ``Metadata.BuildMethod`` (none: ``ContentUri`` is taken as it is)."""
    sam = yaml_parse(template.read_text())
    resources: dict[str, Any] = sam.get("Resources", {})
    glob: dict[str, Any] = (sam.get("Globals") or {}).get("Function") or {}
    found = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.get("Properties") or {}
        layer_ids = [_ref(v) for v in [*(glob.get("Layers") or []), *(props.get("Layers") or [])]]
        layers = []
        for layer_id in layer_ids:
            layer = resources.get(layer_id or "")
            if layer is None or layer.get("Type") != "AWS::Serverless::LayerVersion":
                raise ArtifactError(
                    f"{logical_id}: layer {layer_id!r} is not a layer of this template"
                )
            layers.append(
                LayerSpec(
                    layer_id or "",
                    template.parent / str(layer["Properties"]["ContentUri"]),
                    (layer.get("Metadata") or {}).get("BuildMethod"),
                )
            )
        code_uri = props.get("CodeUri", glob.get("CodeUri"))
        found.append(
            FunctionSpec(
                logical_id,
                str(props.get("Handler", glob.get("Handler"))),
                template.parent / str(code_uri),
                tuple(layers),
                (resource.get("Metadata") or {}).get("BuildMethod"),
            )
        )
    return found


# -- tools ---------------------------------------------------------------------------------
def uv() -> str:
    local = ROOT / ".venv" / "bin" / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if found is None:
        raise ArtifactError("uv is missing: `make install` puts it into .venv")
    return found


def runtime_python() -> str:
    """A CPython 3.13 (the functions' runtime, the image's Python); missing is a failure.
    pyenv's installs first (its shim answers only for the selected version), then uv's search."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    installs = sorted(
        pyenv_root.glob(f"versions/{RUNTIME_PYTHON}.*/bin/python{RUNTIME_PYTHON}"),
        key=lambda p: tuple(int(n) for n in p.parents[1].name.split(".") if n.isdigit()),
    )
    if installs:
        return str(installs[-1])
    result = subprocess.run(
        [uv(), "python", "find", "--no-project", RUNTIME_PYTHON],
        capture_output=True,
        text=True,
        check=False,
    )
    found = result.stdout.strip()
    if result.returncode == 0 and found:
        return found
    raise ArtifactError(
        f"no Python {RUNTIME_PYTHON} on this machine: the functions run on python3.13 and "
        f"the search image on python:3.13, so their artifacts are tried on one (pyenv "
        f"install {RUNTIME_PYTHON}, or put python3.13 on PATH). uv: {result.stderr.strip()}"
    )


def _run(args: list[str], what: str, env: Mapping[str, str] | None = None) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        raise ArtifactError(f"{what} failed:\n{result.stdout}{result.stderr}")


def _key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _cached(name: str, key: str, build: Any) -> Path:
    """``CACHE/name-key``, built by ``build(path)`` into a scratch folder and renamed into
    place once complete (a build that failed halfway is never reused)."""
    final = CACHE / f"{name}-{key}"
    if final.exists():
        return final
    CACHE.mkdir(parents=True, exist_ok=True)
    scratch = CACHE / f".{name}-{key}-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    build(scratch)
    try:
        scratch.rename(final)
    except OSError:  # another worker finished the same build first
        shutil.rmtree(scratch, ignore_errors=True)
    return final


def _venv(name: str, requirements: Iterable[str], python: str) -> Path:
    """A venv of ``python`` holding exactly ``requirements`` (with their dependencies)."""
    reqs = sorted(requirements)

    def build(path: Path) -> None:
        _run([uv(), "venv", "--quiet", "--python", python, str(path)], f"uv venv {name}")
        if reqs:
            _run(
                [
                    uv(),
                    "pip",
                    "install",
                    "--quiet",
                    "--compile-bytecode",
                    "--python",
                    str(path / "bin" / "python"),
                    *reqs,
                ],
                f"installing {name}",
            )

    return _cached(name, _key(python, *reqs), build)


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def _make(source: Path, logical_id: str, into: Path, **variables: str) -> None:
    """As ``sam build`` runs a makefile build: ``make build-<LogicalId>`` with ARTIFACTS_DIR."""
    _run(
        [
            "make",
            "--no-print-directory",
            "-f",
            str(source / "Makefile"),
            f"build-{logical_id}",
            f"ARTIFACTS_DIR={into}",
            *(f"{name}={value}" for name, value in variables.items()),
        ],
        f"the {logical_id} Makefile",
    )


# -- the Lambda runtime ----------------------------------------------------------------------
def runtime_pins() -> list[str]:
    """boto3 and botocore as the tests run them (pyproject.toml): the runtime's stand-in."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [d for d in deps if d.split("==")[0] in ("boto3", "botocore")]


def lambda_runtime(python: str | None = None) -> Path:
    """A clean CPython 3.13 venv with only what the python3.13 runtime provides that the code
    may use: boto3 and botocore (and what they bring)."""
    return _venv("lambda-runtime", runtime_pins(), python or runtime_python())


# -- layers and code -------------------------------------------------------------------------
def build_layer(layer: LayerSpec, python: str | None = None, platform: str | None = None) -> Path:
    """The layer's build output (a folder with ``python/``): for this machine, or for
    ``platform`` (uv's name, e.g. ``aarch64-manylinux2014``: Lambda's arm64) to measure it."""
    python = python or runtime_python()
    source = layer.content_dir
    inputs = sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    key = _key(python, str(platform), str(layer.build_method), *(p.read_bytes() for p in inputs))
    target = ["--compile-bytecode", "--python", python]  # pip compiles what it installs, too
    if platform:
        target += ["--python-platform", platform, "--python-version", RUNTIME_PYTHON]
        target += ["--only-binary", ":all:"]

    def build(path: Path) -> None:
        path.mkdir(parents=True)
        if layer.build_method == "makefile":
            # As sam build does: `make build-<LogicalId>` with ARTIFACTS_DIR; PIP and TARGET
            # say this machine's Python instead of the arm64 one (the Makefile's defaults).
            _make(
                source,
                layer.logical_id,
                path,
                PIP=f"{uv()} pip",
                TARGET="--quiet " + " ".join(target),
            )
        elif layer.build_method and layer.build_method.startswith("python"):
            # SAM's Python builder: requirements.txt installed (with dependencies) into python/.
            _run(
                [
                    uv(),
                    "pip",
                    "install",
                    "--quiet",
                    *target,
                    "--target",
                    str(path / "python"),
                    "--requirement",
                    str(source / "requirements.txt"),
                ],
                f"the {layer.logical_id} requirements",
            )
        elif layer.build_method is None:
            shutil.copytree(source, path, dirs_exist_ok=True)
        else:
            raise ArtifactError(
                f"{layer.logical_id}: BuildMethod {layer.build_method} is not built here"
            )

    suffix = f"-{platform}" if platform else ""
    return _cached(f"layer-{layer.logical_id}{suffix}", key, build)


def copy_code(code_dir: Path, into: Path) -> Path:
    """The CodeUri as sam build copies it (no caches, no compiled files). A CodeUri with a
    requirements.txt would have it installed beside the code; this template's has none, and
    :func:`function_paths` refuses one rather than build something else than SAM would."""
    if (code_dir / "requirements.txt").exists():
        raise ArtifactError(
            f"{code_dir.relative_to(ROOT)}/requirements.txt: the functions' libraries come in "
            "layers (template.yaml); a requirements.txt here would be installed into every "
            "function by sam build"
        )
    shutil.copytree(code_dir, into, ignore=shutil.ignore_patterns(*COPY_IGNORED))
    return into


def build_code(fn: FunctionSpec, python: str | None = None) -> Path:
    """The function's code as ``sam build`` leaves it: its Makefile's ``build-<LogicalId>``
    (the code and its bytecode, compiled by ``python``: CPython 3.13) for a makefile build."""
    if fn.build_method != "makefile":
        raise ArtifactError(f"{fn.logical_id}: BuildMethod {fn.build_method} is not built here")
    python = python or runtime_python()
    source = fn.code_dir
    inputs = sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    key = _key(python, *(str(p.relative_to(source)).encode() + p.read_bytes() for p in inputs))

    def build(path: Path) -> None:
        path.mkdir(parents=True)
        _make(source, fn.logical_id, path, PYTHON=str(python))

    return _cached(f"code-{fn.logical_id}", key, build)


def function_paths(fn: FunctionSpec, scratch: Path, python: str | None = None) -> list[Path]:
    """sys.path entries as Lambda orders them: the task root (/var/task), then each layer's
    ``python/`` (/opt/python; layers merge there in order, a later one over an earlier)."""
    if fn.build_method:
        code = build_code(fn, python)
    else:
        code = scratch / "code" / fn.code_dir.name
        if not code.exists():
            copy_code(fn.code_dir, code)
    return [code, *(build_layer(layer, python) / "python" for layer in fn.layers)]


# -- importing a handler ---------------------------------------------------------------------
_IMPORT = """
import gc, importlib, json, sys, time
paths, module, attribute = json.loads(sys.argv[1])
sys.path[:0] = paths
started = time.perf_counter()
try:
    handler = getattr(importlib.import_module(module), attribute)
except ModuleNotFoundError as exc:
    print(json.dumps({"missing": exc.name, "error": str(exc)}))
    raise SystemExit(0)
elapsed = time.perf_counter() - started
import botocore.client
clients = sorted(
    o.meta.service_model.service_name
    for o in gc.get_objects() if isinstance(o, botocore.client.BaseClient)
)
models = [
    f"{m.__module__}.{m.__qualname__}"
    for name, mod in list(sys.modules.items()) if name.startswith("hotel_booking.")
    for m in vars(mod).values()
    if isinstance(m, type) and m.__module__ == name and getattr(m, "__pydantic_complete__", False)
]
print(json.dumps({
    "seconds": elapsed,
    "callable": callable(handler),
    "pil": "PIL" in sys.modules,
    "botocore": sys.modules["botocore"].__file__ if "botocore" in sys.modules else None,
    "loaded": sorted(m for m in sys.modules if "." not in m),
    "clients": clients,
    "models": sorted(models),
    "traced": bool(getattr(botocore.client, "_xray_enabled", False)),
}))
"""

_BOTO3 = """
import time
started = time.perf_counter()
import boto3
print(time.perf_counter() - started)
"""


def lambda_environment(
    fn: FunctionSpec, variables: Mapping[str, str], region: str = "eu-west-2"
) -> dict[str, str]:
    """The function's variables (from the template, resolved) plus what Lambda sets; nothing
    from this process's environment leaks in (dummy credentials: imports call no AWS)."""
    return {
        **{k: str(v) for k, v in variables.items()},
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": fn.logical_id,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "LAMBDA_TASK_ROOT": "/var/task",
        "_HANDLER": fn.handler,
        "PATH": "/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        # /var/task and /opt are read-only on Lambda: nothing is compiled to disk there.
        "PYTHONDONTWRITEBYTECODE": "1",
    }


@dataclass(frozen=True)
class ImportResult:
    function: str
    missing: str | None = None
    error: str | None = None
    seconds: float = 0.0
    loads_pillow: bool = False
    botocore_from: str | None = None
    #: Top-level packages loaded by the import (``jinja2`` only where a page is rendered).
    loaded: frozenset[str] = frozenset()
    #: Services whose boto3 client the import made (none: each is made on first use).
    clients: tuple[str, ...] = ()
    #: The product's pydantic models whose validators the import built (``defer_build``).
    built_models: tuple[str, ...] = ()
    #: Whether X-Ray's tracer patched botocore (every AWS call a subsegment on AWS).
    traces_aws_calls: bool = False

    def problem(self) -> str | None:
        if self.error:
            module = f" (module {self.missing!r} is not in its artifact)" if self.missing else ""
            return f"{self.function}: its handler does not import{module}: {self.error}"
        return None


def import_handler(
    fn: FunctionSpec, paths: list[Path], runtime: Path, environment: Mapping[str, str]
) -> ImportResult:
    """Import ``fn``'s handler in a fresh interpreter of ``runtime`` (cold, as at a cold start)."""
    module, _, attribute = fn.handler.rpartition(".")
    result = subprocess.run(
        [
            str(runtime / "bin" / "python"),
            "-c",
            _IMPORT,
            json.dumps([[str(p) for p in paths], module, attribute]),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=dict(environment),
        cwd="/",
    )
    if result.returncode != 0 or not result.stdout.strip():
        return ImportResult(fn.logical_id, error=(result.stderr or result.stdout).strip()[-2000:])
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    if "missing" in answer:
        return ImportResult(fn.logical_id, missing=answer["missing"], error=answer["error"])
    return ImportResult(
        fn.logical_id,
        seconds=float(answer["seconds"]),
        loads_pillow=bool(answer["pil"]),
        botocore_from=answer["botocore"],
        loaded=frozenset(answer["loaded"]),
        clients=tuple(answer["clients"]),
        built_models=tuple(answer["models"]),
        traces_aws_calls=bool(answer["traced"]),
    )


def boto3_import_seconds(runtime: Path) -> float:
    """``import boto3`` in a fresh interpreter of ``runtime``: the yardstick for cold starts."""
    result = subprocess.run(
        [str(runtime / "bin" / "python"), "-c", _BOTO3],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
        cwd="/",
    )
    return float(result.stdout.strip())


# -- the search service's image --------------------------------------------------------------
def image_venv(python: str | None = None) -> Path:
    """A clean venv from exactly the image's requirements.txt (nothing else)."""
    return _venv("search-image", _requirement_lines(IMAGE_REQUIREMENTS), python or runtime_python())


def image_app(into: Path) -> Path:
    """The code laid out as the Dockerfile lays it in /app (the image's PYTHONPATH)."""
    for source, target in IMAGE_LAYOUT.items():
        shutil.copytree(ROOT / source, into / target, ignore=shutil.ignore_patterns(*COPY_IGNORED))
    return into


def size_bytes(paths: Iterable[Path]) -> int:
    return sum(f.stat().st_size for p in paths for f in p.rglob("*") if f.is_file())
