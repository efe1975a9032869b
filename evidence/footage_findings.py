"""What an original's footage says a custodian must look at, as flag kinds with their
details: one rule for finalize (ingest/footage_flags.py) and for an index migrated from
before it (storage/sqlite/migrations.py). Pure: no I/O.

- ``unmeasured_footage``: the length could not be probed, so the recording covers nothing
  (evidence/footage_span.py) until a person has looked at it;
- ``claim_mismatch``: a claimed start, end or length differs from the measurement by more
  than the claim tolerance (``compliance.claim_tolerance_seconds``); the detail has both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from evidence.footage_span import FootageSpan, footage_of, stored_fields
from evidence.manifest_media import MediaFacts, read_media
from evidence.ranges import time_in_range
from evidence.strict_json import format_time

__all__ = [
    "CLAIM_MISMATCH",
    "DEFAULT_CLAIM_TOLERANCE_SECONDS",
    "UNMEASURED_FOOTAGE",
    "findings_of_body",
    "footage_findings",
]

UNMEASURED_FOOTAGE = "unmeasured_footage"
CLAIM_MISMATCH = "claim_mismatch"
DEFAULT_CLAIM_TOLERANCE_SECONDS = 2.0


def footage_findings(
    span: FootageSpan, media: MediaFacts | None, file_name: str, tolerance_seconds: float
) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The flags an original's footage raises, as (kind, detail) pairs."""
    found: list[tuple[str, dict[str, Any]]] = []
    if span.ended_at is None:
        found.append(
            (
                UNMEASURED_FOOTAGE,
                {
                    "file_name": file_name,
                    "problem": _why_unmeasured(span, media),
                    "claimed": _claimed(span),
                },
            )
        )
    disagree = span.disagreements(tolerance_seconds)
    if disagree:
        detail = {
            "file_name": file_name,
            "measured": _measured(span),
            "claimed": _claimed(span),
            "disagree": list(disagree),
            "claim_tolerance_seconds": tolerance_seconds,
        }
        found.append((CLAIM_MISMATCH, detail))
    return tuple(found)


def findings_of_body(
    body: bytes, tolerance_seconds: float
) -> tuple[FootageSpan, tuple[tuple[str, dict[str, Any]], ...]]:
    """The span of an original kept as its exact bytes, and the flags it raises: for an
    index catching up with manifests it accepted before these flags existed (read
    without the ranges, like every kept manifest)."""
    top = stored_fields(body)
    span = footage_of(top)
    name = top.section("file").text("name", max_length=255)
    media = read_media(top.optional_section("media"))
    return span, footage_findings(span, media, name, tolerance_seconds)


def _why_unmeasured(span: FootageSpan, media: MediaFacts | None) -> str | None:
    if media is None:
        return "no media section"
    if media.problem is not None:
        return media.problem
    if span.measured_ms is None:
        return "no usable length"  # decodable, its length unknown or over a year
    return "capture start out of range"  # only in a manifest accepted before the ranges


def _at(moment: datetime | None) -> str | None:
    """In UTC; None for a time a manifest accepted before the ranges may hold out of them
    (year 1 east of UTC cannot be moved to UTC)."""
    if moment is None or not time_in_range(moment):
        return None
    return format_time(moment.astimezone(UTC))


def _measured(span: FootageSpan) -> dict[str, Any]:
    return {
        "started_at": _at(span.started_at),
        "ended_at": _at(span.ended_at),
        "seconds": None if span.measured_ms is None else span.measured_ms / 1000,
    }


def _claimed(span: FootageSpan) -> dict[str, Any]:
    claimed: dict[str, Any] = {
        "started_at": _at(span.claimed_started_at),
        "ended_at": _at(span.claimed_ended_at),
        "seconds": span.claimed_seconds,
    }
    if span.container_ms is not None:  # only when the header claims more than is there
        claimed["container_seconds"] = span.container_ms / 1000
    return claimed
