"""The pages' config.json from the stack's outputs, and publishing hotel/ to the site bucket."""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "hotel"
TEMPLATE = ROOT / "template.yaml"

# Cognito's defaults when the template leaves a rule out.
_POLICY_DEFAULTS = {
    "MinimumLength": 8,
    "RequireLowercase": True,
    "RequireUppercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}
# Local files that are not part of the site.
_NOT_PUBLISHED = {"config.json", "README.md"}


class DeployError(RuntimeError):
    """Something a person must fix before the deploy can go on; the message says what."""


def password_policy_of(pool_properties: dict[str, Any]) -> dict[str, Any]:
    """The pool's password rules as the sign-up page shows them (camelCase, Cognito defaults)."""
    given = pool_properties.get("Policies", {}).get("PasswordPolicy", {})
    rules = {**_POLICY_DEFAULTS, **{k: v for k, v in given.items() if k in _POLICY_DEFAULTS}}
    return {
        "minimumLength": int(rules["MinimumLength"]),
        "requireLowercase": _true(rules["RequireLowercase"]),
        "requireUppercase": _true(rules["RequireUppercase"]),
        "requireNumbers": _true(rules["RequireNumbers"]),
        "requireSymbols": _true(rules["RequireSymbols"]),
    }


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def template_document(template: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml as data (CloudFormation tags read as plain ``{tag: value}`` mappings)."""

    class Loader(yaml.SafeLoader):
        pass

    def tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return {suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node, deep=True)}
        return {suffix: loader.construct_mapping(node, deep=True)}

    Loader.add_multi_constructor("!", tag)
    return dict(yaml.load(template.read_text(), Loader=Loader))


def template_pool_properties(template: Path = TEMPLATE) -> dict[str, Any]:
    """The UserPool's Properties in template.yaml."""
    cfn = template_document(template)
    pools = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::Cognito::UserPool"]
    if len(pools) != 1:
        raise DeployError(f"template.yaml has {len(pools)} user pools; expected one")
    return dict(pools[0].get("Properties", {}))


def stack_outputs(describe_stacks: dict[str, Any]) -> dict[str, str]:
    """``{OutputKey: OutputValue}`` of the one stack in a DescribeStacks answer."""
    stacks = describe_stacks.get("Stacks", [])
    if len(stacks) != 1:
        raise DeployError(f"expected one stack in the DescribeStacks answer, got {len(stacks)}")
    stack = stacks[0]
    status = stack.get("StackStatus", "")
    if not status.endswith("_COMPLETE") or "ROLLBACK" in status or "DELETE" in status:
        raise DeployError(
            f"stack {stack.get('StackName')} is {status}; `sam deploy` must finish first"
        )
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def site_config(outputs: dict[str, str], region: str, pool: dict[str, Any]) -> dict[str, Any]:
    """hotel/config.json for the hosted site (hotel/js/config.js reads it)."""
    needed = ("ApiUrl", "UserPoolId", "UserPoolClientId", "SearchUrl")
    missing = [key for key in needed if not outputs.get(key)]
    if missing:
        raise DeployError(f"the stack has no output {', '.join(missing)}; is it this project's?")
    return {
        "apiUrl": outputs["ApiUrl"].rstrip("/"),
        "searchUrl": outputs["SearchUrl"],
        "region": region,
        "userPoolId": outputs["UserPoolId"],
        "userPoolClientId": outputs["UserPoolClientId"],
        "cognitoEndpoint": f"https://cognito-idp.{region}.amazonaws.com",
        "passwordPolicy": password_policy_of(pool),
    }


def site_files(pages: Path = PAGES) -> Iterator[tuple[str, Path, str]]:
    """(key, file, content type) of every file the site serves."""
    for path in sorted(pages.rglob("*")):
        if not path.is_file() or path.name in _NOT_PUBLISHED or path.name.startswith("."):
            continue
        key = path.relative_to(pages).as_posix()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            mime = "text/javascript"
        if mime.startswith("text/") or mime in ("application/json", "image/svg+xml"):
            mime += "; charset=utf-8"
        yield key, path, mime


def publish(
    s3: Any,
    cloudfront: Any,
    bucket: str,
    distribution_id: str,
    config: dict[str, Any],
    pages: Path = PAGES,
) -> list[str]:
    """Upload the pages and config.json, remove what is gone, and invalidate the cache.

    Returns the keys uploaded. Pages are revalidated on every visit (``no-cache``): after a
    deploy nobody keeps yesterday's JavaScript with today's API."""
    import json

    uploaded = []
    for key, path, mime in site_files(pages):
        s3.put_object(
            Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=mime,
            CacheControl="no-cache",
        )  # fmt: skip
        uploaded.append(key)
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=(json.dumps(config, indent=2) + "\n").encode(),
        ContentType="application/json; charset=utf-8",
        CacheControl="no-store",
    )
    uploaded.append("config.json")
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        stale += [o["Key"] for o in page.get("Contents", []) if o["Key"] not in uploaded]
    for start in range(0, len(stale), 1000):  # DeleteObjects takes 1,000 keys at most
        chunk = [{"Key": key} for key in stale[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": chunk, "Quiet": True})
    cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"deploy-{time.time_ns()}",
        },
    )
    return uploaded
