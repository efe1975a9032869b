"""How long an object put into the locked store stays locked: a rule that gives the
retain-until date of each object as it is put.

At the put, the recording's class is not known yet (it may be attached to a case later):
every object is locked for ``server.s3.retain_days`` or the default retention class,
whichever keeps longer. A recording's class extends its objects' dates later with S3
PutObjectRetention (``storage/s3_locks.py``): COMPLIANCE mode lets a date be moved later,
never earlier.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime, timedelta

from evidence.retention_classes import Period

__all__ = ["Kept", "RetentionRule", "retain_for_days", "retain_for_longer"]


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


def retain_for_longer(days: int, period: Period) -> RetentionRule:
    """``days`` after the put, or ``period`` (a calendar period) after it, the later; a
    permanent period is not a date to put: it is extended later to a far one."""

    def rule(kind: Kept, now: datetime) -> datetime:
        by_days = now + timedelta(days=days)
        by_period = period.after(now)
        return by_days if by_period is None else max(by_days, by_period)

    return rule
