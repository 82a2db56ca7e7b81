"""axe-core in the browser tests: the rules a WCAG audit runs, over a page as it stands.

axe-core 4.14.1 is vendored (``vendor/axe.min.js``, MPL-2.0, ``vendor/axe-core.LICENSE``;
from the npm tarball axe-core-4.14.1.tgz, sha256 of axe.min.js in AXE_SHA256) so a fresh
clone runs it offline. It is added as an init script (CDP, outside the pages' CSP, which
forbids inline scripts) to the contexts that audit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"


def source() -> str:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, f"{AXE} is not axe-core 4.14.1"
    return data.decode("utf-8")


def violations(page: Any) -> list[str]:
    """axe.run over the whole page (axe's default rule set: WCAG 2.x A and AA, best practices),
    one line per violation and node."""
    found = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.map(n => n.target.join(" ")) }))"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {node}" for v in found for node in v["nodes"]
    ]
