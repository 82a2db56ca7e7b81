"""The emulator can deploy the template, and the moto internals that localaws patches are where it
expects them (moto is pinned exactly: this fails naming whatever moved on an upgrade)."""

from __future__ import annotations

from localaws.compat import guard
from localaws.provision.deploy import supported_types
from localaws.provision.template import load_template
from tests.conftest import TEMPLATE


def test_every_resource_type_in_the_template_is_emulated_locally() -> None:
    translated = load_template(TEMPLATE, "eu-west-2")
    types = {r["Type"] for r in translated.resources.values()}
    assert types - supported_types() == set()


def test_moto_internals_localaws_relies_on_are_in_place() -> None:
    # Fails with the name of whatever moved when moto is upgraded past the pinned version.
    guard.check()
