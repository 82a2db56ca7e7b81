"""Resolve CloudFormation intrinsic functions against what has been deployed so far."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


class UnresolvedReference(KeyError):
    """A Ref/GetAtt to something not deployed yet: the caller orders resources by these."""


class Resolver:
    def __init__(
        self,
        parameters: dict[str, Any],
        pseudo: dict[str, str],
        conditions: dict[str, Any],
        ref: Callable[[str], Any],
        get_att: Callable[[str, str], Any],
    ) -> None:
        self.parameters = parameters
        self.pseudo = pseudo
        self._conditions_src = conditions
        self._conditions: dict[str, bool] = {}
        self._ref = ref
        self._get_att = get_att

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = bool(self.resolve(self._conditions_src[name]))
        return self._conditions[name]

    def ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self._ref(name)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in (self.resolve(v) for v in value) if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            fn = _FUNCTIONS.get(key)
            if fn is not None:
                return fn(self, arg)
        out = {}
        for k, v in value.items():
            resolved = self.resolve(v)
            if resolved is not _NO_VALUE:
                out[k] = resolved
        return out


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()


def _ref(r: Resolver, name: str) -> Any:
    if name == "AWS::NoValue":
        return _NO_VALUE
    return r.ref(name)


def _get_att(r: Resolver, arg: Any) -> Any:
    if isinstance(arg, str):
        logical, _, attr = arg.partition(".")
    else:
        logical, attr = r.resolve(arg[0]), r.resolve(arg[1])
    return r._get_att(logical, attr)


def _sub(r: Resolver, arg: Any) -> str:
    if isinstance(arg, str):
        text, names = arg, {}
    else:
        text, names = arg[0], {k: r.resolve(v) for k, v in arg[1].items()}

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in names:
            return str(names[key])
        if "." in key:
            logical, attr = key.split(".", 1)
            return str(r._get_att(logical, attr))
        return str(r.ref(key))

    return _SUB.sub(one, text).replace("${!", "${")


def _join(r: Resolver, arg: Any) -> str:
    sep, items = arg
    return str(r.resolve(sep)).join(str(i) for i in r.resolve(items))


def _select(r: Resolver, arg: Any) -> Any:
    return r.resolve(arg[1])[int(r.resolve(arg[0]))]


def _split(r: Resolver, arg: Any) -> list[str]:
    return str(r.resolve(arg[1])).split(r.resolve(arg[0]))


def _if(r: Resolver, arg: Any) -> Any:
    name, yes, no = arg
    return r.resolve(yes if r.condition(name) else no)


def _equals(r: Resolver, arg: Any) -> bool:
    return bool(r.resolve(arg[0]) == r.resolve(arg[1]))


def _not(r: Resolver, arg: Any) -> bool:
    return not r.resolve(arg[0])


def _and(r: Resolver, arg: Any) -> bool:
    return all(r.resolve(a) for a in arg)


def _or(r: Resolver, arg: Any) -> bool:
    return any(r.resolve(a) for a in arg)


def _condition(r: Resolver, arg: str) -> bool:
    return r.condition(arg)


def _get_azs(r: Resolver, arg: Any) -> list[str]:
    region = r.pseudo["AWS::Region"]
    return [f"{region}a", f"{region}b", f"{region}c"]


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::Not": _not,
    "Fn::And": _and,
    "Fn::Or": _or,
    "Condition": _condition,
    "Fn::GetAZs": _get_azs,
}


def references(value: Any) -> set[str]:
    """Logical ids a resource definition depends on (Ref, GetAtt, Sub, DependsOn)."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, dict):
            for k, item in v.items():
                if k == "Ref" and isinstance(item, str):
                    found.add(item)
                elif k == "Fn::GetAtt":
                    found.add(item.split(".")[0] if isinstance(item, str) else item[0])
                elif k == "Fn::Sub":
                    text = item if isinstance(item, str) else item[0]
                    for name in _SUB.findall(text):
                        found.add(name.split(".")[0])
                    walk(item if isinstance(item, str) else item[1])
                else:
                    walk(item)

    walk(value)
    return found
