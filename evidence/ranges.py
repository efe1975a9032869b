"""The ranges every number and time Liuhen accepts must fall in, in one place.

Every integer fits a signed 64-bit column (SQLite INTEGER, PostgreSQL BIGINT), so a value
that parses can always be stored and compared; narrower ranges are the field's own
(docs/manifest.md for the manifest, docs/protocol.md for the API). Times lie between 1900
and 9000 (UTC), so adding a duration to one, or moving it to another offset, never leaves
what a ``datetime`` can hold. A value outside its range is refused before anything is
stored, as a 400 naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = [
    "EARLIEST",
    "INT32_MAX",
    "INT64_MAX",
    "INT64_MIN",
    "LATEST",
    "in_range",
    "time_in_range",
    "within",
]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1  # what FFmpeg keeps a width, height, sample rate or channel count in
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def in_range(value: int, minimum: int, maximum: int) -> bool:
    if not INT64_MIN <= minimum <= maximum <= INT64_MAX:
        raise ValueError(f"range {minimum}..{maximum} does not fit a signed 64-bit integer")
    return minimum <= value <= maximum


def within(value: int | None, minimum: int, maximum: int) -> int | None:
    """``value`` if it is in range, else None: for facts read from a file (a broken one
    can claim anything) that a manifest records as unknown rather than refuse."""
    return value if value is not None and in_range(value, minimum, maximum) else None


def time_in_range(moment: datetime) -> bool:
    """An aware time between 1900 and 9000 (UTC)."""
    return EARLIEST <= moment < LATEST
