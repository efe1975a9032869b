"""How long an object put into the locked store stays locked: a rule that gives the
retain-until date of each object as it is put.

Today one period for everything (``server.s3.retain_days``). Retention classes (a
recording attached to a case kept permanently, issue 14) replace the rule, or extend a
stored object's date later with S3 PutObjectRetention: COMPLIANCE mode lets a date be
moved later, never earlier.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime, timedelta

__all__ = ["Kept", "RetentionRule", "retain_for_days"]


class Kept(enum.StrEnum):
    """What kind of object is being put."""

    CONTENT = "content"  # an original, a review copy, a transcript: the bytes
    MANIFEST = "manifest"  # the device's signed manifest and its signature
    RECEIPT = "receipt"  # the server's signed receipt and its signature


RetentionRule = Callable[[Kept, datetime], datetime]
"""The retain-until date of an object of this kind put at this moment (UTC)."""


def retain_for_days(days: int) -> RetentionRule:
    def rule(kind: Kept, now: datetime) -> datetime:
        return now + timedelta(days=days)

    return rule
