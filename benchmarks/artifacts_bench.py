"""Each function's deployed size and cold-start import cost, beside their targets (issue 20).

    .venv/bin/python benchmarks/artifacts_bench.py [--runs 5]

Size: the function's artifact as Lambda unpacks it (its CodeUri as ``sam build`` copies it
plus its layers), built for the functions' platform (arm64, CPython 3.13) with the template's
own build recipes (deploy/artifacts.py). Import: the handler's import in a fresh CPython 3.13
holding that artifact (built for this machine) and the runtime's boto3, with the function's
environment from the template as the local deployer resolves it, against ``import boto3`` in
the same interpreter setup, measured in this run: each import right after an ``import boto3``,
the ratio the median of those pairs (a busy machine slows both alike). Targets: ≤ 25 MB and
≤ 2x ``import boto3``; the picture
function ≤ 50 MB. No botocore may be bundled unless it is the version the tests run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from deploy import artifacts  # noqa: E402
from devstack.product import LOCAL_PARAMETERS  # noqa: E402
from localaws.cloud import LocalCloud  # noqa: E402

ARM64 = "aarch64-manylinux_2_34"  # Lambda python3.13: Amazon Linux 2023, glibc 2.34
MB = 1_000_000
SIZE_TARGET = 25 * MB
PICTURE_SIZE_TARGET = 50 * MB
PICTURE_FUNCTIONS = {"HotelsApiFunction"}
RATIO_TARGET = 2.0


def bundled_botocore(paths: list[Path]) -> list[str]:
    return [str(p) for path in paths for p in path.glob("botocore-*.dist-info")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    python = artifacts.runtime_python()
    runtime = artifacts.lambda_runtime(python)
    functions = artifacts.functions()
    with LocalCloud(local_parameters=LOCAL_PARAMETERS) as cloud:
        cloud.deploy(ROOT / "template.yaml", stack_name="bench")
        variables = {f.logical_id: cloud.runtime.spec(f.logical_id).environment for f in functions}

    scratch = Path(tempfile.mkdtemp(prefix="artifacts-bench-"))
    boto3_runs: list[float] = []
    rows = []
    failed = False
    for fn in functions:
        # The code (with its bytecode: functions/Makefile) is the same on every platform.
        code = artifacts.function_paths(fn, scratch / "host", python)[0]
        arm_paths = [
            code,
            *(artifacts.build_layer(layer, python, ARM64) / "python" for layer in fn.layers),
        ]
        size = artifacts.size_bytes(arm_paths)
        host_paths = artifacts.function_paths(fn, scratch / "host", python)
        env = artifacts.lambda_environment(fn, variables[fn.logical_id])
        runs, ratios = [], []
        for _ in range(args.runs):
            boto3_seconds = artifacts.boto3_import_seconds(runtime)
            result = artifacts.import_handler(fn, host_paths, runtime, env)
            if result.problem():
                print(result.problem())
                return 1
            runs.append(result.seconds)
            ratios.append(result.seconds / boto3_seconds)
            boto3_runs.append(boto3_seconds)
        rows.append(
            (
                fn,
                size,
                statistics.median(runs),
                statistics.median(ratios),
                result,
                bundled_botocore(arm_paths),
            )
        )

    boto3_seconds = statistics.median(boto3_runs)
    print(
        f"import boto3 (clean CPython 3.13, median of {len(boto3_runs)}): "
        f"{boto3_seconds * 1000:.0f} ms"
    )
    print(
        f"{'function':32} {'unzipped':>9} {'target':>7} {'import':>8} {'ratio':>6} "
        f"{'target':>6}  Pillow  verdict"
    )
    for fn, size, seconds, ratio, result, botocore in rows:
        pictures = fn.logical_id in PICTURE_FUNCTIONS
        size_target = PICTURE_SIZE_TARGET if pictures else SIZE_TARGET
        ratio_target = "-" if pictures else f"{RATIO_TARGET:.0f}x"
        ok = size <= size_target and (pictures or ratio <= RATIO_TARGET) and not botocore
        ok = ok and (pictures or not result.loads_pillow)
        failed |= not ok
        print(
            f"{fn.logical_id:32} {size / MB:7.1f}MB {size_target // MB:5d}MB "
            f"{seconds * 1000:6.0f}ms {ratio:5.2f}x {ratio_target:>6}  "
            f"{'loaded' if result.loads_pillow else 'no':6}  {'ok' if ok else 'MISSED'}"
            + (f"  bundles {botocore}" if botocore else "")
        )
    layers = {layer.logical_id: layer for fn in functions for layer in fn.layers}
    sizes = [
        f"{name} {artifacts.size_bytes([artifacts.build_layer(layer, python, ARM64)]) / MB:.1f} MB"
        for name, layer in layers.items()
    ]
    print(f"arm64 layers: {', '.join(sizes)}; code {artifacts.size_bytes([code]) / MB:.1f} MB")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
