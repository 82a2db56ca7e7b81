"""WebAcl=regional deploys locally: the web ACL with its rules and its associations (the REST
API stage, the user pool) are stored in moto's WAFv2, as CloudFormation would create them.
Nothing enforces them locally (docs/aws-differences.md)."""

from __future__ import annotations

from localaws.cloud import LocalCloud
from tests.conftest import TEMPLATE


def test_the_optional_web_acl_is_created_and_associated(cloud: LocalCloud) -> None:
    stack = cloud.deploy(TEMPLATE, stack_name="waf", parameters={"WebAcl": "regional"})
    waf = cloud.client("wafv2")
    acl_arn = stack.att("ApiWebAcl", "Arn")
    on_pool = waf.get_web_acl_for_resource(ResourceArn=stack.att("UserPool", "Arn"))["WebACL"]
    assert on_pool["ARN"] == acl_arn
    rules = {r["Name"]: r for r in on_pool["Rules"]}
    sign_up = rules["sign-up-per-ip"]["Statement"]["RateBasedStatement"]
    assert (sign_up["Limit"], sign_up["EvaluationWindowSec"]) == (10, 300)
    assert "aws-common" in rules and "requests-per-ip" in rules
    stage = stack.resources["ApiWebAclOnStage"].ref
    assert stage.endswith(f"/restapis/{stack.ref('HotelApi')}/stages/Prod")
    assert waf.get_web_acl_for_resource(ResourceArn=stage)["WebACL"]["ARN"] == acl_arn
