"""SNS rules AWS enforces and moto 5.2.5 does not, so that what fails on AWS fails locally.

- Publish ``Subject``: "UTF-8 text with no line breaks or control characters, and less than
  100 characters long" (SNS API reference); moto only refuses more than 100 characters.
- Filter policies: at most 200 per topic (``FilterPolicyLimitExceeded``); moto has no limit.
- Email subscriptions: pending until the recipient follows the link in SNS's confirmation
  email (:class:`EmailConfirmations`); moto confirms them at once.
"""

from __future__ import annotations

import html
import secrets
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

from localaws.compat import guard

SUBJECT_LIMIT = 100  # characters; a subject must be shorter
FILTER_POLICIES_PER_TOPIC = 200  # SNS quota (adjustable on request)


def subject_problem(subject: str | None) -> str | None:
    """Why SNS would refuse this ``Subject`` (None: it would accept it)."""
    if subject is None:
        return None
    if not subject.strip():
        return "Subject must be a non-empty string"
    if len(subject) >= SUBJECT_LIMIT:
        return f"Subject must be less than {SUBJECT_LIMIT} characters long"
    for c in subject:
        if unicodedata.category(c) in ("Cc", "Zl", "Zp"):
            return "Subject must contain no line breaks or control characters"
    return None


def enforce_subject_rule() -> None:
    """Publish refuses a bad subject with InvalidParameter (moto's handler turns the
    ValueError into it), before anything is delivered, as AWS does."""
    backend_cls = guard.sns_backend_class()
    original = backend_cls.publish
    if getattr(original, "_localaws_subject_rule", False):
        return

    def publish(self: Any, message: str, *args: Any, **kwargs: Any) -> Any:
        problem = subject_problem(kwargs.get("subject"))
        if problem is not None:
            raise ValueError(f"Invalid parameter: Subject Reason: {problem}")
        return original(self, message, *args, **kwargs)

    publish._localaws_subject_rule = True  # type: ignore[attr-defined]
    backend_cls.publish = publish


def enforce_filter_policy_quota() -> None:
    """A topic's 201st filter policy is refused (FilterPolicyLimitExceeded, HTTP 403), as SNS
    does by default: Subscribe with a FilterPolicy attribute and SetSubscriptionAttributes
    both set it through ``set_subscription_attributes``."""
    backend_cls = guard.sns_backend_class()
    original = backend_cls.set_subscription_attributes
    if getattr(original, "_localaws_quota", False):
        return
    base = guard.sns_exception_class()

    class FilterPolicyLimitExceeded(base):  # type: ignore[misc, valid-type]
        code = "FilterPolicyLimitExceeded"

    def set_subscription_attributes(self: Any, arn: str, name: str, value: Any) -> None:
        subscription = self.subscriptions.get(arn)
        if name == "FilterPolicy" and value and subscription is not None:
            others = [
                s
                for s in self.subscriptions.values()
                if s.topic is subscription.topic and s.arn != arn and s._filter_policy
            ]
            if len(others) >= FILTER_POLICIES_PER_TOPIC:
                raise FilterPolicyLimitExceeded(
                    "Filter policy limit exceeded: a topic has at most "
                    f"{FILTER_POLICIES_PER_TOPIC} subscriptions with a filter policy"
                )
        original(self, arn, name, value)

    set_subscription_attributes._localaws_quota = True  # type: ignore[attr-defined]
    backend_cls.set_subscription_attributes = set_subscription_attributes


# -- email subscriptions start pending, as on AWS --------------------------------------------
EMAIL_PROTOCOLS = ("email", "email-json")
CONFIRMATION_SUBJECT = "AWS Notification - Subscription Confirmation"
PENDING = "PendingConfirmation"  # what SNS lists as the ARN of an unconfirmed subscription

Send = Callable[[str, str, str, str, dict[str, str]], object]


class EmailConfirmations:
    """moto confirms every subscription at once; SNS does not. With this installed, a new
    ``email`` subscription is listed as ``PendingConfirmation``, gets nothing published, and
    SNS's confirmation email (with a link carrying a token) goes to ``send``; the link's page
    calls ``ConfirmSubscription`` with that token, which confirms it."""

    def __init__(self, send: Send, link: Callable[[str, str, str], str]) -> None:
        self._send = send
        self._link = link
        self._tokens: dict[str, tuple[str, str]] = {}  # token -> (topic ARN, subscription ARN)
        self._lock = threading.Lock()

    def install(self) -> None:
        global _confirmations
        _confirmations = self
        backend_cls = guard.sns_backend_class()
        if not getattr(backend_cls.subscribe, "_localaws_pending", False):
            original_subscribe = backend_cls.subscribe

            def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
                existing = self._find_subscription(topic_arn, endpoint, protocol)
                subscription = original_subscribe(self, topic_arn, endpoint, protocol)
                if existing is None and protocol in EMAIL_PROTOCOLS and _confirmations:
                    _confirmations.pend(subscription)
                return subscription

            subscribe._localaws_pending = True  # type: ignore[attr-defined]
            backend_cls.subscribe = subscribe
        response_cls = guard.sns_response_class()
        if not getattr(response_cls.confirm_subscription, "_localaws_pending", False):
            action_result = guard.cognito_action_result()
            invalid = guard.sns_invalid_parameter()

            def confirm_subscription(self: Any) -> Any:
                topic_arn = self._get_param("TopicArn")
                token = self._get_param("Token")
                found = (
                    _confirmations.confirm(self.backend, topic_arn, token)
                    if _confirmations
                    else None
                )
                if found is None:
                    raise invalid("Invalid token")
                return action_result({"SubscriptionArn": found})

            confirm_subscription._localaws_pending = True  # type: ignore[attr-defined]
            response_cls.confirm_subscription = confirm_subscription

    def pend(self, subscription: Any) -> None:
        token = secrets.token_hex(64)
        with self._lock:
            self._tokens[token] = (subscription.topic.arn, subscription.arn)
        # The serializer prefers this attribute to ``arn`` (ListSubscriptions*), as SNS hides
        # the ARN of an unconfirmed subscription.
        subscription.SubscriptionArn = PENDING
        subscription.attributes["PendingConfirmation"] = "true"
        subscription._localaws_pending = True
        topic = subscription.topic
        link = self._link(topic.arn, token, subscription.endpoint)
        body = "\n".join(
            [
                "You have chosen to subscribe to the topic:",
                topic.arn,
                "",
                "To confirm this subscription, click or visit the link below "
                "(If this was in error no action is necessary):",
                f"Confirm subscription: {link}",
                "",
                "Please do not reply directly to this email.",
            ]
        )
        sender = getattr(topic, "display_name", "") or "AWS Notifications"
        self._send(
            subscription.endpoint,
            CONFIRMATION_SUBJECT,
            body,
            topic.arn,
            {"from": f"{sender} <no-reply@sns.amazonaws.com>", "purpose": "confirm-subscription"},
        )

    def saved(self) -> dict[str, list[str]]:
        """The tokens of confirmation emails sent, so their links still work after a restart."""
        with self._lock:
            return {token: list(arns) for token, arns in self._tokens.items()}

    def restore(self, tokens: dict[str, list[str]]) -> None:
        with self._lock:
            self._tokens = {token: (arns[0], arns[1]) for token, arns in tokens.items()}

    def confirm(self, backend: Any, topic_arn: str, token: str) -> str | None:
        """The subscription's ARN, now confirmed; None for an unknown token (or topic)."""
        with self._lock:
            topic, arn = self._tokens.get(token, ("", ""))
        subscription = backend.subscriptions.get(arn)
        if topic != topic_arn or subscription is None:
            return None
        if getattr(subscription, "_localaws_pending", False):
            del subscription.SubscriptionArn
            subscription.attributes["PendingConfirmation"] = "false"
            subscription._localaws_pending = False
        return str(subscription.arn)


def is_pending(subscription: Any) -> bool:
    return bool(getattr(subscription, "_localaws_pending", False))


_confirmations: EmailConfirmations | None = None


def confirmation_page(sns: Any) -> Any:
    """The page the confirmation email links to (SNS's ``confirmation.html``): it calls
    ConfirmSubscription with the link's token, as SNS's page does."""
    from werkzeug.wrappers import Request, Response

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            arn = sns.confirm_subscription(
                TopicArn=request.args.get("TopicArn", ""), Token=request.args.get("Token", "")
            )["SubscriptionArn"]
            status, text = 200, f"Subscription confirmed! Your subscription's id is: {arn}"
        except Exception as exc:  # an unknown token: SNS's page says so too
            status, text = 400, f"Subscription not confirmed: {exc}"
        page = (
            "<!doctype html><html lang=en><meta charset=utf-8>"
            f"<title>Amazon SNS</title><h1>Amazon SNS</h1><p>{html.escape(text)}</p></html>"
        )
        return Response(page, status=status, mimetype="text/html")(environ, start_response)

    return app
