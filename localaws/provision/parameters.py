"""Template parameter values as SAM CLI takes them: ``--parameter-overrides`` and samconfig.toml.

SAM CLI reads ``samconfig.toml`` beside the template (``[<env>.deploy.parameters]`` and
``[<env>.global.parameters]``); ``parameter_overrides`` there is a string of ``K=V`` pairs
(quoted as a shell would) or a list of them. Values given on the command line win.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

SAMCONFIG = "samconfig.toml"
# SAM CLI also takes CloudFormation's own long form.
_LONG_FORM = re.compile(r"^ParameterKey=([^,]+),ParameterValue=(.*)$")


class ParameterError(ValueError):
    """A parameter override that is not ``Name=Value``."""


def parse_overrides(items: list[str] | str) -> dict[str, str]:
    """``["A=1", "B=two words"]``, ``'A=1 B="two words"'`` or the ``ParameterKey=..,
    ParameterValue=..`` form → ``{"A": "1", "B": "two words"}``."""
    tokens = shlex.split(items) if isinstance(items, str) else list(items)
    values: dict[str, str] = {}
    for token in tokens:
        long_form = _LONG_FORM.match(token)
        if long_form:
            values[long_form.group(1)] = long_form.group(2)
            continue
        name, sep, value = token.partition("=")
        if not sep or not name or not re.fullmatch(r"[A-Za-z0-9]+", name):
            raise ParameterError(f"parameter override {token!r} is not Name=Value")
        values[name] = value
    return values


def samconfig(template: Path, env: str = "default") -> dict[str, Any]:
    """The deploy settings samconfig.toml beside ``template`` gives for ``env`` (empty when
    there is no such file): global parameters overlaid by deploy's."""
    path = template.resolve().parent / SAMCONFIG
    if not path.exists():
        return {}
    config = tomllib.loads(path.read_text())
    section = config.get(env, {})
    settings: dict[str, Any] = {}
    for command in ("global", "deploy"):
        settings.update(section.get(command, {}).get("parameters", {}))
    return settings


def parameters_for(
    template: Path, overrides: list[str], env: str = "default"
) -> tuple[dict[str, Any], dict[str, str]]:
    """(samconfig's deploy settings, e.g. ``stack_name`` and ``region``; parameter values:
    samconfig's, then ``overrides``)."""
    settings = samconfig(template, env)
    values = parse_overrides(settings.get("parameter_overrides", []))
    values.update(parse_overrides(overrides))
    return settings, values
