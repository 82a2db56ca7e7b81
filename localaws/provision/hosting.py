"""The site's hosting (CloudFront in front of a private bucket), as the local web server plays it.

Locally there is no CloudFront: the app's own local web server serves its pages. These creators let
the same template deploy, keep what the template says (the response headers policy above all,
which the web server applies to every page), and put the bucket policy on the site bucket.
"""

from __future__ import annotations

import json
from typing import Any

from localaws.provision.registry import Deployed, Deploying, creates, local_id


def _local_id(d: Deploying, logical_id: str, prefix: str) -> str:
    return prefix + local_id(d, logical_id, "", 13).upper()  # CloudFront's ids: 13, upper case


@creates("AWS::CloudFront::OriginAccessControl")
def _origin_access_control(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    oac = _local_id(d, logical_id, "E")
    return Deployed(logical_id, "AWS::CloudFront::OriginAccessControl", oac, {"Id": oac})


@creates("AWS::CloudFront::ResponseHeadersPolicy")
def _response_headers_policy(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    policy = _local_id(d, logical_id, "")
    return Deployed(logical_id, "AWS::CloudFront::ResponseHeadersPolicy", policy, {"Id": policy})


@creates("AWS::CloudFront::Distribution")
def _distribution(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    distribution = _local_id(d, logical_id, "E")
    domain = f"{distribution.lower()}.cloudfront.net"  # never reached: the web server serves
    return Deployed(
        logical_id,
        "AWS::CloudFront::Distribution",
        distribution,
        {"DomainName": domain, "Id": distribution},
    )


@creates("AWS::S3::BucketPolicy")
def _bucket_policy(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    d.client("s3").put_bucket_policy(
        Bucket=props["Bucket"], Policy=json.dumps(props["PolicyDocument"])
    )
    return Deployed(logical_id, "AWS::S3::BucketPolicy", props["Bucket"], {})


def security_headers(stack: Any, logical_id: str = "SiteHeadersPolicy") -> dict[str, str]:
    """The headers a ResponseHeadersPolicy of the stack adds, as HTTP headers."""
    config = stack.resources[logical_id].properties["ResponseHeadersPolicyConfig"]
    security = config.get("SecurityHeadersConfig", {})
    headers: dict[str, str] = {}
    if "ContentSecurityPolicy" in security:
        headers["Content-Security-Policy"] = security["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ]
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if "FrameOptions" in security:
        headers["X-Frame-Options"] = security["FrameOptions"]["FrameOption"]
    if "ReferrerPolicy" in security:
        headers["Referrer-Policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={hsts['AccessControlMaxAgeSec']}"
        if hsts.get("IncludeSubdomains"):
            value += "; includeSubDomains"
        if hsts.get("Preload"):
            value += "; preload"
        headers["Strict-Transport-Security"] = value
    return headers


def allow_sources(csp: str, directive: str, *sources: str) -> str:
    """The policy with more sources in one directive (the local endpoints, which differ)."""
    parts = [part.strip() for part in csp.split(";") if part.strip()]
    for i, part in enumerate(parts):
        if part.split()[0] == directive:
            known = part.split()
            parts[i] = " ".join([*known, *(s for s in dict.fromkeys(sources) if s not in known)])
            break
    else:
        parts.append(" ".join([directive, "'self'", *sources]))
    return "; ".join(parts)
