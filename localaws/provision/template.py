"""Read template.yaml and translate the SAM parts to plain CloudFormation, offline.

Local paths (``CodeUri``, a layer's ``ContentUri``, ``DefinitionUri``) are swapped for
placeholder S3 URIs before the translation, since SAM wants S3 locations, and remembered so the
deployer can map them back.
"""

from __future__ import annotations

import copy
import functools
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

CODE_BUCKET = "localaws-code"


class _NoManagedPolicies:
    """SAM asks for AWS managed policy ARNs by name; locally there are none to look up."""

    def load(self) -> dict[str, str]:
        return {}


@dataclass
class Template:
    """A translated template plus the local files its S3 placeholders stand for."""

    path: Path
    cfn: dict[str, Any]
    sam: dict[str, Any]
    local_files: dict[str, Path] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.cfn.get("Resources", {}))

    def local_path(self, s3: dict[str, Any] | str) -> Path:
        """The local file or folder behind a placeholder S3 location."""
        key = s3 if isinstance(s3, str) else s3.get("Key") or s3.get("S3Key")
        if not isinstance(key, str) or key not in self.local_files:
            raise KeyError(f"no local file recorded for S3 location {s3!r}")
        return self.local_files[key]


def _has_own_code(props: dict[str, Any], globals_fn: dict[str, Any]) -> bool:
    keys = ("CodeUri", "InlineCode", "ImageUri")
    return any(k in props or k in globals_fn for k in keys) or props.get("PackageType") == "Image"


def load_template(path: str | Path, region: str) -> Template:
    """The template translated as SAM would; each caller gets its own copy to change.

    The test suite deploys the same template up to six times per process: parsing and
    translating it took ~0.5 s each time, a copy of the first result ~0.05 s."""
    path = Path(path).resolve()
    translated = _translated(path, path.stat().st_mtime_ns, region)
    copied: Template = pickle.loads(pickle.dumps(translated))
    return copied


@functools.lru_cache(maxsize=8)
def _translated(path: Path, _mtime_ns: int, region: str) -> Template:
    sam = yaml_parse(path.read_text())
    local_files: dict[str, Path] = {}
    prepared = copy.deepcopy(sam)

    def to_s3(value: Any) -> Any:
        if isinstance(value, str) and not value.startswith("s3://"):
            local = (path.parent / value).resolve()
            if not local.exists():
                raise FileNotFoundError(f"{path.name}: {value} does not exist")
            key = value.strip("/")
            local_files[key] = local
            return f"s3://{CODE_BUCKET}/{key}"
        return value

    globals_fn = prepared.get("Globals", {}).get("Function", {})
    if "CodeUri" in globals_fn:
        globals_fn["CodeUri"] = to_s3(globals_fn["CodeUri"])
    for resource in prepared.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function":
            if "CodeUri" in props:
                props["CodeUri"] = to_s3(props["CodeUri"])
            elif not _has_own_code(props, globals_fn):
                # SAM CLI packages the template's folder when a function names no code.
                props["CodeUri"] = to_s3(".")
                resource["Properties"] = props
        if resource.get("Type") == "AWS::Serverless::LayerVersion" and "ContentUri" in props:
            props["ContentUri"] = to_s3(props["ContentUri"])
        if resource.get("Type") == "AWS::Serverless::StateMachine" and "DefinitionUri" in props:
            props["DefinitionUri"] = to_s3(props["DefinitionUri"])

    # The translator reads the region from the environment. LocalCloud has set it already;
    # writing os.environ while Lambda threads run would race with them, so only if needed.
    previous = os.environ.get("AWS_DEFAULT_REGION")
    if previous != region:
        os.environ["AWS_DEFAULT_REGION"] = region
    try:
        cfn = transform(prepared, {}, _NoManagedPolicies())
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        elif previous != region:
            os.environ["AWS_DEFAULT_REGION"] = previous
    return Template(path=path, cfn=cfn, sam=sam, local_files=local_files)
