"""The search service's container image: built with Docker, pushed to ECR, named by content.

``make deploy`` runs :func:`build_and_push` before ``sam deploy`` and passes the tag to the
stack (parameter ``SearchImageTag``). The tag is a hash of everything the image is built from,
so an unchanged service is not pushed again, and the repository's tags are immutable (a tag
always means the same image; ECS never runs something else under it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from deploy.website import DeployError

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "services" / "search" / "Dockerfile"
#: What the Dockerfile copies (relative to the build context, the repository root).
BUILD_INPUTS = (
    "services/search/Dockerfile",
    "services/search/requirements.txt",
    "services/search/search_service",
    "functions/hotel_booking",
)
PLATFORM = "linux/arm64"  # the task definition's RuntimePlatform
TEMPLATE_REPOSITORY_DEFAULT = "hotel-booking-search"  # template.yaml SearchRepositoryName


def check_docker() -> None:
    """Refuse, saying why, when this machine cannot build the image."""
    docker = shutil.which("docker")
    if docker is None:
        raise DeployError(
            "Docker is not on PATH: make deploy builds the search service's container image "
            "(services/search/Dockerfile, for ECS Fargate) with `docker build` and pushes it to "
            "ECR. Install Docker (with buildx, which builds the arm64 image on any machine) "
            "and run make deploy again. Nothing was deployed."
        )
    info = subprocess.run([docker, "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        raise DeployError(
            "Docker is installed but its daemon does not answer (`docker info` failed: "
            f"{info.stderr.strip()[:200]}); start Docker and run make deploy again. "
            "Nothing was deployed."
        )


def image_tag(root: Path = ROOT) -> str:
    """A hash of the build inputs (paths and bytes), so the same sources give the same tag."""
    digest = hashlib.sha256()
    for entry in BUILD_INPUTS:
        path = root / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return f"src-{digest.hexdigest()[:16]}"


#: Every change to the sources pushes a new image; without a rule they accumulate (storage is
#: billed per GB-month). Kept: the newest KEEP_IMAGES, far more than a rollback reaches back.
KEEP_IMAGES = 30
LIFECYCLE_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "untagged layers of interrupted pushes",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 1,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"all but the newest {KEEP_IMAGES} images make deploy pushed",
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": ["src-"],
                "countType": "imageCountMoreThan",
                "countNumber": KEEP_IMAGES,
            },
            "action": {"type": "expire"},
        },
    ]
}


def ensure_repository(ecr: Any, name: str) -> str:
    """The repository's URI, creating it (immutable tags, scan on push) when missing; its
    lifecycle policy set every time (the repository is not in the stack: this is its owner)."""
    try:
        repo = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    except ecr.exceptions.RepositoryNotFoundException:
        repo = ecr.create_repository(
            repositoryName=name,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
            encryptionConfiguration={"encryptionType": "AES256"},
        )["repository"]
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(LIFECYCLE_POLICY))
    return str(repo["repositoryUri"])


def has_image(ecr: Any, name: str, tag: str) -> bool:
    try:
        ecr.describe_images(repositoryName=name, imageIds=[{"imageTag": tag}])
    except ecr.exceptions.ImageNotFoundException:
        return False
    return True


def parameter_overrides(samconfig: Path, tag: str, repository: str) -> str:
    """samconfig.toml's own parameter_overrides plus the image's: ``sam deploy
    --parameter-overrides`` replaces the file's value, so both go on the command line."""
    deploy = tomllib.loads(samconfig.read_text()).get("default", {}).get("deploy", {})
    own = str(deploy.get("parameters", {}).get("parameter_overrides", "")).strip()
    image = f"SearchImageTag={tag} SearchRepositoryName={repository}"
    return f"{own} {image}".strip()


def repository_name(samconfig: Path) -> str:
    """SearchRepositoryName from samconfig.toml's parameter_overrides, else the template's."""
    deploy = tomllib.loads(samconfig.read_text()).get("default", {}).get("deploy", {})
    own = str(deploy.get("parameters", {}).get("parameter_overrides", ""))
    for pair in own.split():
        key, _, value = pair.partition("=")
        if key == "SearchRepositoryName" and value:
            return value.strip("\"'")
    return TEMPLATE_REPOSITORY_DEFAULT


def build_and_push(ecr: Any, repository: str, tag: str) -> str:
    """Build the arm64 image and push it (skipped when ECR has this tag already)."""
    uri = ensure_repository(ecr, repository)
    image = f"{uri}:{tag}"
    if has_image(ecr, repository, tag):
        print(f"{image}: already in ECR (same sources), not rebuilt")
        return image
    auth = ecr.get_authorization_token()["authorizationData"][0]
    user, _, password = base64.b64decode(auth["authorizationToken"]).decode().partition(":")
    registry = uri.split("/", 1)[0]
    _run(["docker", "login", "--username", user, "--password-stdin", registry], stdin=password)
    _run(
        [
            "docker", "build", "--platform", PLATFORM,
            "--file", str(DOCKERFILE.relative_to(ROOT)), "--tag", image, ".",
        ]
    )  # fmt: skip
    _run(["docker", "push", image])
    return image


def _run(command: list[str], stdin: str | None = None) -> None:
    result = subprocess.run(command, cwd=ROOT, input=stdin, text=True, check=False)
    if result.returncode != 0:
        raise DeployError(f"`{' '.join(command[:2])}` failed (exit {result.returncode})")
