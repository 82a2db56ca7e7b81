"""SNS rules AWS enforces and moto 5.2.5 does not, so that what fails on AWS fails locally.

- Publish ``Subject``: "UTF-8 text with no line breaks or control characters, and less than
  100 characters long" (SNS API reference); moto only refuses more than 100 characters.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from localaws import guard

SUBJECT_LIMIT = 100  # characters; a subject must be shorter


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
