"""make deploy's own steps, without an AWS account: config.json from a recorded DescribeStacks
answer, what is published where, and the refusal to run without credentials."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from deploy import image
from deploy.__main__ import stack_settings
from deploy.website import (
    DeployError,
    publish,
    site_config,
    site_files,
    stack_outputs,
    template_pool_properties,
)

ROOT = Path(__file__).resolve().parents[3]
RECORDED = json.loads((ROOT / "tests/fixtures/deploy/describe-stacks.json").read_text())


def test_config_json_comes_from_the_stack_outputs_and_the_pools_password_rules() -> None:
    outputs = stack_outputs(RECORDED)
    config = site_config(outputs, "eu-west-2", template_pool_properties())
    assert config == {
        "apiUrl": "https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com/Prod",
        "searchUrl": "https://f6g7h8i9j0.execute-api.eu-west-2.amazonaws.com/search",
        "region": "eu-west-2",
        "userPoolId": "eu-west-2_AbCdEfGhI",
        "userPoolClientId": "4h5j6k7l8m9n0p1q2r3s4t5u6v",
        "cognitoEndpoint": "https://cognito-idp.eu-west-2.amazonaws.com",
        "passwordPolicy": {
            "minimumLength": 8,
            "requireLowercase": True,
            "requireUppercase": True,
            "requireNumbers": True,
            "requireSymbols": False,
        },
    }


def test_a_stack_that_has_not_finished_deploying_is_refused() -> None:
    rolled_back = json.loads(json.dumps(RECORDED))
    rolled_back["Stacks"][0]["StackStatus"] = "UPDATE_ROLLBACK_COMPLETE"
    with pytest.raises(DeployError, match="UPDATE_ROLLBACK_COMPLETE"):
        stack_outputs(rolled_back)
    no_outputs = json.loads(json.dumps(RECORDED))
    no_outputs["Stacks"][0]["Outputs"] = []
    with pytest.raises(DeployError, match="ApiUrl, UserPoolId, UserPoolClientId, SearchUrl"):
        site_config(stack_outputs(no_outputs), "eu-west-2", {})


def test_samconfig_names_the_stack_every_step_uses() -> None:
    assert stack_settings() == ("hotel-booking-saga", "eu-west-2")


def test_make_deploy_checks_before_it_builds_or_deploys_anything() -> None:
    steps = subprocess.run(
        ["make", "-n", "--always-make", "deploy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    commands = [line for line in steps if "-m deploy" in line or line.startswith("sam ")]
    assert [c.split()[-1] if "-m deploy" in c else " ".join(c.split()[:2]) for c in commands] == [
        "check",
        "sam build",
        "image",
        "sam deploy",
        "site",
    ]


@mock_aws
def test_publish_uploads_the_pages_with_config_json_and_removes_old_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    s3: Any = boto3.client("s3", region_name="eu-west-2")
    cloudfront: Any = boto3.client("cloudfront", region_name="eu-west-2")
    s3.create_bucket(Bucket="site", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    s3.put_object(Bucket="site", Key="old-page.html", Body=b"gone")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "test",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": "site.s3.eu-west-2.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "https-only",
            },
        }
    )["Distribution"]["Id"]
    config = {"apiUrl": "https://api.example", "region": "eu-west-2"}

    uploaded = publish(s3, cloudfront, "site", distribution, config)

    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="site")["Contents"]}
    assert keys == set(uploaded)
    assert {"index.html", "signup.html", "js/auth.js", "vendor/pico.min.css", "config.json"} <= keys
    assert "old-page.html" not in keys and "README.md" not in keys
    js = s3.get_object(Bucket="site", Key="js/auth.js")
    assert js["ContentType"] == "text/javascript; charset=utf-8"
    published = s3.get_object(Bucket="site", Key="config.json")
    assert json.loads(published["Body"].read()) == config
    assert published["CacheControl"] == "no-store"
    invalidations = cloudfront.list_invalidations(DistributionId=distribution)
    assert invalidations["InvalidationList"]["Quantity"] == 1
    assert {key for key, _, _ in site_files()} == set(uploaded) - {"config.json"}


def test_the_deploy_refuses_to_run_without_credentials_and_says_why(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),  # no ~/.aws
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",  # no instance role to find either
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "deploy", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result
    assert "refused: no AWS credentials" in result.stderr
    assert "aws configure" in result.stderr
    assert "Nothing was deployed" in result.stderr


# -- the search service's image ------------------------------------------------------------
def test_without_docker_the_deploy_refuses_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DeployError, match=r"Docker is not on PATH.*Nothing was deployed"):
        image.check_docker()


def test_the_image_tag_names_the_sources(tmp_path: Path) -> None:
    for entry in image.BUILD_INPUTS:
        source = ROOT / entry
        target = tmp_path / entry
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    assert image.image_tag(tmp_path) == image.image_tag(ROOT)
    store = tmp_path / "services/search/search_service/store.py"
    store.write_text(store.read_text() + "\n# changed\n")
    assert image.image_tag(tmp_path) != image.image_tag(ROOT)


@mock_aws
def test_the_repository_is_created_once_with_immutable_tags_and_scanning() -> None:
    ecr = boto3.client("ecr", region_name="eu-west-2")
    uri = image.ensure_repository(ecr, "hotel-booking-search")
    assert image.ensure_repository(ecr, "hotel-booking-search") == uri
    assert uri.endswith(".dkr.ecr.eu-west-2.amazonaws.com/hotel-booking-search")
    repo = ecr.describe_repositories(repositoryNames=["hotel-booking-search"])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    # Old images expire: every source change pushes one more.
    policy = json.loads(
        ecr.get_lifecycle_policy(repositoryName="hotel-booking-search")["lifecyclePolicyText"]
    )
    kept = policy["rules"][1]["selection"]
    assert (kept["countType"], kept["countNumber"]) == ("imageCountMoreThan", 30)
    assert image.has_image(ecr, "hotel-booking-search", image.image_tag()) is False


def test_the_image_parameters_keep_samconfigs_own_overrides(tmp_path: Path) -> None:
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "LogLevel=DEBUG"\n'
    )
    assert image.repository_name(samconfig) == "hotel-booking-search"
    assert image.parameter_overrides(samconfig, "src-1", "hotel-booking-search") == (
        "LogLevel=DEBUG SearchImageTag=src-1 SearchRepositoryName=hotel-booking-search"
    )
    assert image.parameter_overrides(ROOT / "samconfig.toml", "src-1", "r") == (
        "SearchImageTag=src-1 SearchRepositoryName=r"
    )
