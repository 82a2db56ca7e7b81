"""A local mailbox: every email SNS or SES would send is delivered here, per recipient.

moto's SNS evaluates each subscription's filter policy but sends nothing for ``email``
subscriptions. localaws wraps moto's per-subscription delivery so a confirmed email
subscription that matches gets the message in this mailbox, exactly once per subscription, as
AWS would send it; a pending one gets nothing (SNS's confirmation email comes here instead,
see ``localaws.aws.sns.EmailConfirmations``). moto's SES keeps what it sends; each message is
copied here too, one per recipient.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from localaws.aws import sns
from localaws.compat import guard

_URL = re.compile(r"https?://[^\s<>\"')]+")
_LABELLED = re.compile(r"^\s*([A-Za-z][^:\n]{0,40}):\s*(https?://\S+)\s*$", re.MULTILINE)


@dataclass
class Mail:
    id: int
    to: str
    subject: str
    body: str
    links: list[dict[str, str]]
    receivedAt: str
    topicArn: str
    attributes: dict[str, str] = field(default_factory=dict)


def extract_links(body: str) -> list[dict[str, str]]:
    """Links in a message, labelled by the text before them on their line ('Approve: URL')."""
    labelled = {url: label.strip() for label, url in _LABELLED.findall(body)}
    seen: list[str] = []
    for url in _URL.findall(body):
        if url not in seen:
            seen.append(url)
    return [{"label": labelled.get(url, url), "url": url} for url in seen]


class Mailbox:
    def __init__(self) -> None:
        self._mails: list[Mail] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def deliver(
        self, to: str, subject: str | None, body: str, topic_arn: str, attributes: dict[str, str]
    ) -> Mail:
        with self._lock:
            mail = Mail(
                id=next(self._ids),
                to=to,
                subject=subject or "(no subject)",
                body=body,
                links=extract_links(body),
                receivedAt=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                topicArn=topic_arn,
                attributes=attributes,
            )
            self._mails.append(mail)
            return mail

    def __len__(self) -> int:
        return len(self._mails)

    def saved(self) -> list[dict[str, Any]]:
        """Every message, for the snapshot that outlives a restart (localaws.stack.persistence)."""
        return self.messages()

    def restore(self, mails: list[dict[str, Any]]) -> None:
        """Replace the messages with saved ones; new ones continue their numbering."""
        with self._lock:
            self._mails = [Mail(**m) for m in mails]
            self._ids = itertools.count(max((m.id for m in self._mails), default=0) + 1)

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(m) for m in self._mails if to is None or m.to.lower() == to.lower()]

    def install(self) -> None:
        """Deliver email/email-json subscriptions of every topic into this mailbox."""
        global _current
        _current = self
        subscription_cls = guard.sns_subscription_class()
        if getattr(subscription_cls.publish, "_localaws_mailbox", False):
            return
        original = subscription_cls.publish

        def publish(
            self: Any,
            message: str,
            message_id: str,
            subject: str | None = None,
            message_attributes: dict[str, Any] | None = None,
            **kwargs: Any,
        ) -> Any:
            if self.protocol not in ("email", "email-json"):
                return original(self, message, message_id, subject, message_attributes, **kwargs)
            if sns.is_pending(self):
                return None  # SNS delivers nothing before the recipient confirms
            attributes = message_attributes or {}
            matcher = self._filter_policy_matcher
            if _current is not None and (matcher is None or matcher.matches(attributes, message)):
                _current.deliver(
                    self.endpoint,
                    subject,
                    message,
                    self.topic.arn,
                    {k: str(v.get("Value", "")) for k, v in attributes.items()},
                )
            return None

        publish._localaws_mailbox = True  # type: ignore[attr-defined]
        subscription_cls.publish = publish
        self._copy_ses_sends()

    @staticmethod
    def _copy_ses_sends() -> None:
        ses_cls = guard.ses_backend_class()
        if getattr(ses_cls.send_email, "_localaws_mailbox", False):
            return
        original = ses_cls.send_email

        def send_email(
            self: Any, source: str, subject: str, body: str, destinations: dict[str, list[str]]
        ) -> Any:
            message = original(self, source, subject, body, destinations)  # checks the identity
            identity = f"arn:aws:ses:{self.region_name}:{self.account_id}:identity/{source}"
            for addresses in destinations.values():
                for address in addresses:
                    if _current is not None:
                        _current.deliver(address, subject, body, identity, {"from": source})
            return message

        send_email._localaws_mailbox = True  # type: ignore[attr-defined]
        ses_cls.send_email = send_email


_current: Mailbox | None = None
