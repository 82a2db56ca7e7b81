"""How many SAM apps shaped like AWS's Python starters the local engine runs.

    .venv/bin/python benchmarks/sam_apps.py

Deploys each app of tests/fixtures/samapps/starters into one LocalCloud, exercises it as its
README would (tests/fixtures/starters.py), and prints each outcome, the time it took, and the
count.
"""

from __future__ import annotations

import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from localaws.cloud import LocalCloud  # noqa: E402
from tests.fixtures import starters  # noqa: E402


def main() -> int:
    ran = 0
    with LocalCloud(retry_time_scale=0.001) as cloud:
        for name in sorted(starters.CHECKS):
            started = time.perf_counter()
            try:
                starters.run(cloud, name)
            except Exception:
                outcome = "FAILED\n" + traceback.format_exc(limit=3)
            else:
                outcome, ran = "runs", ran + 1
            print(f"{name:14} {(time.perf_counter() - started) * 1000:7.0f} ms  {outcome}")
    print(f"SAM starter apps run: {ran} of {len(starters.CHECKS)}")
    return 0 if ran == len(starters.CHECKS) else 1


if __name__ == "__main__":
    sys.exit(main())
