"""Create every resource of a translated template in the emulator, in dependency order.

moto's own CloudFormation cannot deploy SAM's output (no Cognito, no Secrets Manager,
unresolved DefinitionSubstitutions, API Gateway bodies), so this is a small deployer of its
own: one function per resource type, each returning the resource's Ref and attributes. There
is no second list of resources anywhere: add a table to template.yaml and it exists here.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localaws.account import ACCOUNT_ID
from localaws.engine.lambdas import FunctionSpec, LambdaRuntime
from localaws.provision import (  # noqa: F401  each registers its creators on import
    event_resources,
    hosting,
    operations,
    service_resources,
)
from localaws.provision.intrinsics import Resolver, references
from localaws.provision.registry import (  # noqa: F401  Deployed, DeployError: re-exported
    Deployed,
    DeployError,
    api_call,
    creates,
    creator_for,
    supported_types,
)
from localaws.provision.template import Template


class UnsupportedResources(DeployError):
    """The template holds resource types localaws has no creator for."""


@dataclass
class Stack:
    """The result of a deployment: what each logical id became, and the outputs."""

    name: str
    region: str
    parameters: dict[str, Any]
    resources: dict[str, Deployed]
    outputs: dict[str, Any]
    template: Template

    def ref(self, logical_id: str) -> Any:
        return self.resources[logical_id].ref

    def att(self, logical_id: str, attribute: str) -> Any:
        return self.resources[logical_id].attributes[attribute]

    def of_type(self, type_: str) -> list[Deployed]:
        return [r for r in self.resources.values() if r.type == type_]


class Deployer:
    def __init__(
        self,
        template: Template,
        stack_name: str,
        region: str,
        clients: Callable[[str], Any],
        runtime: LambdaRuntime,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        self.template = template
        self.stack_name = stack_name
        self.region = region
        self.client = clients
        self.runtime = runtime
        self.done: dict[str, Deployed] = {}
        cfn = template.cfn
        self.parameters = self._parameters(cfn.get("Parameters", {}), parameters or {})
        self.resolver = Resolver(
            parameters=self.parameters,
            pseudo={
                "AWS::Region": region,
                "AWS::AccountId": ACCOUNT_ID,
                "AWS::StackName": stack_name,
                "AWS::StackId": f"arn:aws:cloudformation:{region}:{ACCOUNT_ID}:stack/"
                f"{stack_name}/local",
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
            },
            conditions=cfn.get("Conditions", {}),
            ref=self._ref,
            get_att=self._get_att,
        )

    # -- public ---------------------------------------------------------------------------
    def deploy(self) -> Stack:
        resources = self.template.resources
        self._check_types(resources)
        for logical_id in self._order(resources):
            spec = resources[logical_id]
            condition = spec.get("Condition")
            if condition and not self.resolver.condition(condition):
                continue
            creator = creator_for(spec["Type"])
            assert creator is not None, spec["Type"]  # _check_types said so
            props = self.resolver.resolve(spec.get("Properties", {}))
            deployed = creator(self, logical_id, props)
            deployed.properties = props
            self.done[logical_id] = deployed
        outputs = {}
        for name, out in self.template.cfn.get("Outputs", {}).items():
            condition = out.get("Condition")
            if condition and not self.resolver.condition(condition):
                continue
            outputs[name] = self.resolver.resolve(out["Value"])
        return Stack(
            self.stack_name, self.region, self.parameters, self.done, outputs, self.template
        )

    def physical_name(self, logical_id: str, max_len: int = 64) -> str:
        name = f"{self.stack_name}-{logical_id}"
        return name[:max_len]

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT_ID}:{resource}"

    # -- internals ------------------------------------------------------------------------
    @staticmethod
    def _check_types(resources: dict[str, dict[str, Any]]) -> None:
        """Every type the engine cannot create, named in one error before anything exists
        (rather than one per run, after half the stack was made)."""
        missing: dict[str, list[str]] = {}
        for logical_id, spec in resources.items():
            if creator_for(spec.get("Type", "")) is None:
                missing.setdefault(spec.get("Type", "(no Type)"), []).append(logical_id)
        if missing:
            lines = [f"  {t}: {', '.join(sorted(ids))}" for t, ids in sorted(missing.items())]
            raise UnsupportedResources(
                f"localaws cannot create {len(missing)} resource type(s) of this template "
                "(nothing was created):\n"
                + "\n".join(lines)
                + "\nSupported types: docs/local.md (Resource types the engine creates)."
            )

    @staticmethod
    def _parameters(declared: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        unknown = set(given) - set(declared)
        if unknown:
            raise DeployError(f"unknown template parameter(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name, decl in declared.items():
            if name in given:
                value = str(given[name])
            elif "Default" in decl:
                value = str(decl["Default"])
            else:
                raise DeployError(f"template parameter {name} has no default; pass a value")
            pattern = decl.get("AllowedPattern")
            if pattern and not re.fullmatch(pattern, value):
                # CloudFormation refuses the whole stack at validation, before creating anything.
                reason = decl.get("ConstraintDescription", f"must match {pattern}")
                raise DeployError(f"parameter {name}={value!r}: {str(reason).strip()}")
            allowed = decl.get("AllowedValues")
            if allowed and value not in [str(a) for a in allowed]:
                raise DeployError(f"parameter {name}={value!r} is not one of {allowed}")
            if decl.get("Type") == "Number":
                number = float(value)
                if "MinValue" in decl and number < float(decl["MinValue"]):
                    raise DeployError(f"parameter {name}={value} is below {decl['MinValue']}")
                if "MaxValue" in decl and number > float(decl["MaxValue"]):
                    raise DeployError(f"parameter {name}={value} is above {decl['MaxValue']}")
            values[name] = value
        return values

    def _order(self, resources: dict[str, dict[str, Any]]) -> list[str]:
        deps: dict[str, set[str]] = {}
        for logical_id, spec in resources.items():
            refs = references(spec.get("Properties", {})) & set(resources)
            depends = spec.get("DependsOn", [])
            refs |= set([depends] if isinstance(depends, str) else depends) & set(resources)
            deps[logical_id] = refs - {logical_id}
        ordered: list[str] = []
        seen: set[str] = set()

        def visit(node: str, path: tuple[str, ...]) -> None:
            if node in seen:
                return
            if node in path:
                raise DeployError(f"circular dependency: {' -> '.join((*path, node))}")
            for dep in sorted(deps[node]):
                visit(dep, (*path, node))
            seen.add(node)
            ordered.append(node)

        for node in resources:
            visit(node, ())
        return ordered

    def _ref(self, logical_id: str) -> Any:
        if logical_id not in self.done:
            raise DeployError(f"Ref to {logical_id}, which is not deployed (condition off?)")
        return self.done[logical_id].ref

    def _get_att(self, logical_id: str, attribute: str) -> Any:
        if logical_id not in self.done:
            raise DeployError(f"GetAtt {logical_id}.{attribute}: not deployed")
        attrs = self.done[logical_id].attributes
        if attribute not in attrs:
            raise DeployError(f"GetAtt {logical_id}.{attribute}: localaws does not provide it")
        return attrs[attribute]


# ------------------------------------------------------------------------------- creators
@creates("AWS::DynamoDB::Table")
def _table(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("TableName") or d.physical_name(logical_id, 255)
    args: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if args["BillingMode"] == "PROVISIONED":
        args["ProvisionedThroughput"] = props.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if key in props:
            args[key] = props[key]
    if "StreamSpecification" in props:  # CloudFormation's has no StreamEnabled; the API's does
        args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    desc = d.client("dynamodb").create_table(**args)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        d.client("dynamodb").update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return Deployed(
        logical_id,
        "AWS::DynamoDB::Table",
        name,
        {"Arn": desc["TableArn"], "StreamArn": desc.get("LatestStreamArn", "")},
    )


@creates("AWS::SNS::Topic")
def _topic(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("TopicName") or d.physical_name(logical_id, 256)
    attributes = {k: str(props[k]) for k in ("DisplayName", "FifoTopic") if k in props}
    arn = d.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
    return Deployed(logical_id, "AWS::SNS::Topic", arn, {"TopicArn": arn, "TopicName": name})


@creates("AWS::SNS::Subscription")
def _subscription(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    attributes: dict[str, str] = {}
    if "FilterPolicy" in props:
        attributes["FilterPolicy"] = json.dumps(props["FilterPolicy"])
    if "FilterPolicyScope" in props:
        attributes["FilterPolicyScope"] = props["FilterPolicyScope"]
    if "RawMessageDelivery" in props:
        attributes["RawMessageDelivery"] = str(props["RawMessageDelivery"]).lower()
    arn = d.client("sns").subscribe(
        TopicArn=props["TopicArn"],
        Protocol=props["Protocol"],
        Endpoint=props["Endpoint"],
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return Deployed(logical_id, "AWS::SNS::Subscription", arn, {"Arn": arn})


@creates("AWS::SQS::Queue")
def _queue(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    fifo = str(props.get("FifoQueue", "false")).lower() == "true"
    name = props.get("QueueName") or d.physical_name(logical_id, 75 if fifo else 80)
    if fifo and not name.endswith(".fifo"):
        name += ".fifo"  # as CloudFormation names a FIFO queue
    attributes = {key: _json_text(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    url = d.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = d.arn("sqs", name)
    return Deployed(logical_id, "AWS::SQS::Queue", url, {"Arn": arn, "QueueName": name})


_QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)


def _json_text(value: Any) -> str:
    """A queue attribute as SQS takes it: JSON text for policies, lower-case booleans."""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


@creates("AWS::IAM::Role")
def _role(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("RoleName") or d.physical_name(logical_id, 64)
    iam = d.client("iam")
    role = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]),
        Path=props.get("Path", "/"),
    )["Role"]
    for arn in props.get("ManagedPolicyArns", []):
        if not arn.startswith("arn:aws:iam::aws:"):
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        # AWS-managed policies are not loaded locally (IAM is not enforced); the ARNs stay
        # in the deployed resource's properties for anyone who wants to read them.
    for policy in props.get("Policies", []):
        iam.put_role_policy(
            RoleName=name,
            PolicyName=policy["PolicyName"],
            # SAM's policy templates omit Version; IAM then assumes 2012-10-17.
            PolicyDocument=json.dumps({"Version": "2012-10-17", **policy["PolicyDocument"]}),
        )
    return Deployed(
        logical_id, "AWS::IAM::Role", name, {"Arn": role["Arn"], "RoleId": role["RoleId"]}
    )


@creates("AWS::IAM::ManagedPolicy")
def _managed_policy(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    """A customer managed policy (SAM connectors generate these), attached to the roles,
    users and groups it names, as CloudFormation attaches it."""
    name = props.get("ManagedPolicyName") or d.physical_name(logical_id, 128)
    iam = d.client("iam")
    policy = iam.create_policy(
        PolicyName=name,
        Path=props.get("Path", "/"),
        PolicyDocument=json.dumps({"Version": "2012-10-17", **props["PolicyDocument"]}),
        Description=props.get("Description", ""),
    )["Policy"]
    arn = policy["Arn"]
    for role in props.get("Roles", []):
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    for user in props.get("Users", []):
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    for group in props.get("Groups", []):
        iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    return Deployed(
        logical_id,
        "AWS::IAM::ManagedPolicy",
        arn,
        {"PolicyArn": arn, "PolicyId": policy["PolicyId"], "PolicyName": name},
    )


@creates("AWS::IAM::Policy")
def _inline_policy(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    """An inline policy declared on its own, put on each role it names."""
    iam = d.client("iam")
    document = json.dumps({"Version": "2012-10-17", **props["PolicyDocument"]})
    for role in props.get("Roles", []):
        iam.put_role_policy(RoleName=role, PolicyName=props["PolicyName"], PolicyDocument=document)
    return Deployed(logical_id, "AWS::IAM::Policy", f"{d.stack_name}-{logical_id}", {})


def _stub_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("README.txt", "code runs in-process from the project folder (localaws)")
    return buf.getvalue()


@creates("AWS::Lambda::Function")
def _function(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("FunctionName") or d.physical_name(logical_id, 64)
    code_dir = d.template.local_path(props["Code"].get("S3Key", ""))
    environment = {k: str(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()}
    args: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": props["Runtime"],
        "Role": props["Role"],
        "Handler": props["Handler"],
        "Code": {"ZipFile": _stub_zip()},
        "Timeout": int(props.get("Timeout", 3)),
        "MemorySize": int(props.get("MemorySize", 128)),
        "Environment": {"Variables": environment},
    }
    if "Architectures" in props:
        args["Architectures"] = props["Architectures"]
    if "TracingConfig" in props:
        args["TracingConfig"] = props["TracingConfig"]
    arn = d.client("lambda").create_function(**args)["FunctionArn"]
    d.runtime.register(
        FunctionSpec(
            logical_id=logical_id,
            name=name,
            arn=arn,
            handler=props["Handler"],
            code_dir=code_dir,
            runtime=props["Runtime"],
            timeout=args["Timeout"],
            memory=args["MemorySize"],
            environment=environment,
            reserved_concurrency=(
                int(props["ReservedConcurrentExecutions"])
                if "ReservedConcurrentExecutions" in props
                else None
            ),
        )
    )
    return Deployed(logical_id, "AWS::Lambda::Function", name, {"Arn": arn})


@creates("AWS::Lambda::LayerVersion")
def _layer(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    """A layer version, published with a stub zip: locally every function imports from the
    project's environment; the layer's real contents are built and imported by
    tests/integration/deploy/test_artifacts.py (deploy/artifacts.py)."""
    published = d.client("lambda").publish_layer_version(
        LayerName=props.get("LayerName") or d.physical_name(logical_id, 64),
        Description=str(props.get("Description", "")),
        Content={"ZipFile": _stub_zip()},
        CompatibleRuntimes=list(props.get("CompatibleRuntimes", [])),
        CompatibleArchitectures=list(props.get("CompatibleArchitectures", [])),
    )
    arn = str(published["LayerVersionArn"])
    return Deployed(logical_id, "AWS::Lambda::LayerVersion", arn, {"LayerVersionArn": arn})


@creates("AWS::Lambda::Version")
def _version(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    """A published version (SAM's ``AutoPublishAlias`` makes one). Locally every version runs
    the code in the function's folder as it is now."""
    version = d.client("lambda").publish_version(
        FunctionName=props["FunctionName"], Description=props.get("Description", "")
    )
    return Deployed(
        logical_id,
        "AWS::Lambda::Version",
        version["FunctionArn"],
        {"Version": version["Version"], "FunctionArn": version["FunctionArn"]},
    )


@creates("AWS::Lambda::Alias")
def _alias(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    args: dict[str, Any] = {
        "FunctionName": props["FunctionName"],
        "Name": props["Name"],
        "FunctionVersion": str(props["FunctionVersion"]),
        "Description": props.get("Description", ""),
    }
    if "RoutingConfig" in props:
        args["RoutingConfig"] = {
            "AdditionalVersionWeights": {
                str(w["FunctionVersion"]): float(w["FunctionWeight"])
                for w in props["RoutingConfig"].get("AdditionalVersionWeights", [])
            }
        }
    arn = d.client("lambda").create_alias(**args)["AliasArn"]
    return Deployed(logical_id, "AWS::Lambda::Alias", arn, {"AliasArn": arn})


@creates("AWS::Lambda::Permission", "AWS::ApiGateway::Account")
def _recorded_only(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    """Permissions (resource policies, API Gateway's CloudWatch role): IAM is not enforced
    locally, so these are recorded, not applied."""
    return Deployed(logical_id, "recorded", f"{d.stack_name}-{logical_id}", {})


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:]+)\}")


@creates("AWS::StepFunctions::StateMachine")
def _state_machine(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    if "DefinitionS3Location" in props:
        text = d.template.local_path(props["DefinitionS3Location"]).read_text()
    elif "DefinitionString" in props:
        text = props["DefinitionString"]
    else:
        text = json.dumps(props["Definition"])
    definition = substitute_definition(text, props.get("DefinitionSubstitutions", {}))
    name = props.get("StateMachineName") or d.physical_name(logical_id, 80)
    arn = d.client("stepfunctions").create_state_machine(
        name=name,
        definition=definition,
        roleArn=props["RoleArn"],
        type=props.get("StateMachineType", "STANDARD"),
        # As CloudFormation passes it, so describe-state-machine reports what the template set.
        tracingConfiguration={
            "enabled": bool(props.get("TracingConfiguration", {}).get("Enabled", False))
        },
    )["stateMachineArn"]
    return Deployed(logical_id, "AWS::StepFunctions::StateMachine", arn, {"Name": name, "Arn": arn})


def substitute_definition(text: str, substitutions: dict[str, Any]) -> str:
    """Fill ``${Name}`` placeholders as CloudFormation does; a missing one is an error."""
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(substitutions))
    if missing:
        raise DeployError(f"state machine definition has no substitution for {missing}")
    filled = _PLACEHOLDER.sub(lambda m: str(substitutions[m.group(1)]), text)
    json.loads(filled)  # fail here, with the JSON error, rather than deep in the engine
    return filled


@creates("AWS::Logs::LogGroup")
def _log_group(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("LogGroupName") or d.physical_name(logical_id, 512)
    d.client("logs").create_log_group(logGroupName=name)
    return Deployed(
        logical_id, "AWS::Logs::LogGroup", name, {"Arn": d.arn("logs", f"log-group:{name}:*")}
    )


@creates("AWS::S3::Bucket")
def _bucket(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("BucketName") or d.physical_name(logical_id, 63).lower()
    s3 = d.client("s3")
    args: dict[str, Any] = {"Bucket": name}
    if d.region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": d.region}
    s3.create_bucket(**args)
    if "CorsConfiguration" in props:
        rules = [
            {
                "AllowedMethods": rule["AllowedMethods"],
                "AllowedOrigins": rule["AllowedOrigins"],
                **({"AllowedHeaders": rule["AllowedHeaders"]} if "AllowedHeaders" in rule else {}),
                **({"ExposeHeaders": rule["ExposedHeaders"]} if "ExposedHeaders" in rule else {}),
                **({"MaxAgeSeconds": int(rule["MaxAge"])} if "MaxAge" in rule else {}),
            }
            for rule in props["CorsConfiguration"]["CorsRules"]
        ]
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    return Deployed(
        logical_id,
        "AWS::S3::Bucket",
        name,
        {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{d.region}.amazonaws.com",
        },
    )


@creates("AWS::Cognito::UserPool")
def _user_pool(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("UserPoolName") or d.physical_name(logical_id, 128)
    pool = api_call(d, "cognito-idp", "CreateUserPool", {**props, "PoolName": name})["UserPool"]
    provider = f"cognito-idp.{d.region}.amazonaws.com/{pool['Id']}"
    return Deployed(
        logical_id,
        "AWS::Cognito::UserPool",
        pool["Id"],
        {"Arn": pool["Arn"], "ProviderName": provider, "ProviderURL": f"https://{provider}"},
    )


@creates("AWS::Cognito::UserPoolClient")
def _user_pool_client(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("ClientName") or d.physical_name(logical_id, 128)
    named = {**props, "ClientName": name}
    client = api_call(d, "cognito-idp", "CreateUserPoolClient", named)["UserPoolClient"]
    return Deployed(
        logical_id,
        "AWS::Cognito::UserPoolClient",
        client["ClientId"],
        {"ClientSecret": client.get("ClientSecret", ""), "Name": client["ClientName"]},
    )


@creates("AWS::Cognito::UserPoolGroup")
def _user_pool_group(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("GroupName") or d.physical_name(logical_id, 128)
    api_call(d, "cognito-idp", "CreateGroup", {**props, "GroupName": name})
    return Deployed(logical_id, "AWS::Cognito::UserPoolGroup", name, {})


@creates("AWS::SecretsManager::Secret")
def _secret(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    import secrets as random_source

    name = props.get("Name") or d.physical_name(logical_id, 512)
    if "SecretString" in props:
        value = props["SecretString"]
    else:
        spec = props.get("GenerateSecretString", {})
        length = int(spec.get("PasswordLength", 32))
        value = random_source.token_urlsafe(length)[:length]
        if "SecretStringTemplate" in spec:
            body = json.loads(spec["SecretStringTemplate"])
            body[spec["GenerateStringKey"]] = value
            value = json.dumps(body)
    arn = d.client("secretsmanager").create_secret(
        Name=name, SecretString=value, Description=props.get("Description", "")
    )["ARN"]
    return Deployed(logical_id, "AWS::SecretsManager::Secret", arn, {"Id": arn})


@creates("AWS::ApiGateway::RestApi")
def _rest_api(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    """Served by localaws.gateways.apigateway from the (resolved) Body, not by moto."""
    import hashlib

    api_id = hashlib.sha1(f"{d.stack_name}/{logical_id}".encode()).hexdigest()[:10]
    return Deployed(
        logical_id, "AWS::ApiGateway::RestApi", api_id, {"RootResourceId": f"{api_id}-root"}
    )


@creates("AWS::ApiGateway::Deployment")
def _api_deployment(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    return Deployed(logical_id, "AWS::ApiGateway::Deployment", f"{logical_id}-local", {})


@creates("AWS::ApiGateway::Stage")
def _api_stage(d: Deployer, logical_id: str, props: dict[str, Any]) -> Deployed:
    return Deployed(logical_id, "AWS::ApiGateway::Stage", props["StageName"], {})
