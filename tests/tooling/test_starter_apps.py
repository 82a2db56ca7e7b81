"""The engine runs SAM apps shaped like AWS's Python starters (issue 25); the count is printed."""

from __future__ import annotations

import pytest

from localaws.cloud import LocalCloud
from tests.fixtures import starters

_ran: list[str] = []


@pytest.mark.parametrize("name", sorted(starters.CHECKS))
def test_starter_app_deploys_and_works(cloud: LocalCloud, name: str) -> None:
    starters.run(cloud, name)
    _ran.append(name)
    print(f"SAM starter apps run: {len(_ran)} of {len(starters.CHECKS)}")
