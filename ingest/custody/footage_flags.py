"""Flags about an original's footage, raised at finalize in the transaction that indexes
the object:

- ``late_upload``: stored more than ``compliance.late_upload_hours`` after its capture ended
  (as its footage measures it: its start plus the probed length; its start when that is
  unknown), with the hours in force at that moment. A device's claimed end cannot put it off;
- ``unmeasured_footage``: the length could not be probed, so the recording covers nothing
  (evidence/footage_span.py) until a person has looked at it;
- ``claim_mismatch``: a claimed start, end or length differs from the measurement by more
  than ``compliance.claim_tolerance_seconds``; the detail has both.

Review copies and transcripts are made later on purpose and are not evidence of time:
they raise none of these.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from evidence.footage_span import FootageSpan
from evidence.identifiers import Role
from evidence.manifest import Manifest
from evidence.strict_json import format_time
from ingest.custody.flags import FlagKind, new_flag
from storage.records import NewFlag

__all__ = ["footage_flags", "late_flag"]

log = logging.getLogger(__name__)


def late_flag(
    manifest: Manifest, received_at: datetime, now: datetime, limit: float
) -> tuple[NewFlag, ...]:
    """``late_upload``, if ``manifest``'s original arrived more than ``limit`` hours after
    its capture ended."""
    if manifest.role is not Role.ORIGINAL:
        return ()
    captured_until = manifest.capture_end() or manifest.capture.started_at
    hours = (received_at - captured_until).total_seconds() / 3600
    if hours <= limit:
        return ()
    detail = {
        "case_number": None if manifest.case_number is None else str(manifest.case_number),
        "captured_until": format_time(captured_until.astimezone(UTC)),
        "received_at": format_time(received_at.astimezone(UTC)),
        "hours": round(hours, 1),
        "late_upload_hours": limit,
    }
    log.warning("late upload: %s arrived %.1f h after capture", manifest.evidence_id, hours)
    return (_flag(FlagKind.LATE_UPLOAD, manifest, detail, now),)


def footage_flags(manifest: Manifest, now: datetime, tolerance: float) -> tuple[NewFlag, ...]:
    """``unmeasured_footage`` and ``claim_mismatch``, as the original's footage calls for."""
    if manifest.role is not Role.ORIGINAL:
        return ()
    span = manifest.footage()
    flags: list[NewFlag] = []
    if span.measured_ms is None:
        media = manifest.media
        unmeasured: dict[str, Any] = {
            "file_name": manifest.file_name,
            "problem": "no media section" if media is None else media.problem,
            "claimed": _claimed(span),
        }
        flags.append(_flag(FlagKind.UNMEASURED_FOOTAGE, manifest, unmeasured, now))
        log.warning("%s: length not measured; it covers no time", manifest.evidence_id)
    disagree = span.disagreements(tolerance)
    if disagree:
        detail: dict[str, Any] = {
            "file_name": manifest.file_name,
            "measured": _measured(span),
            "claimed": _claimed(span),
            "disagree": list(disagree),
            "claim_tolerance_seconds": tolerance,
        }
        flags.append(_flag(FlagKind.CLAIM_MISMATCH, manifest, detail, now))
        log.warning("%s: claimed %s disagree with the footage", manifest.evidence_id, disagree)
    return tuple(flags)


def _at(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment.astimezone(UTC))


def _measured(span: FootageSpan) -> dict[str, Any]:
    return {
        "started_at": _at(span.started_at),
        "ended_at": _at(span.ended_at),
        "seconds": None if span.measured_ms is None else span.measured_ms / 1000,
    }


def _claimed(span: FootageSpan) -> dict[str, Any]:
    return {
        "started_at": _at(span.claimed_started_at),
        "ended_at": _at(span.claimed_ended_at),
        "seconds": span.claimed_seconds,
    }


def _flag(kind: FlagKind, manifest: Manifest, detail: dict[str, Any], now: datetime) -> NewFlag:
    return new_flag(
        kind,
        str(manifest.evidence_id),
        detail,
        now,
        device_id=manifest.device_id,
        evidence_id=manifest.evidence_id,
        role=manifest.role,
    )
