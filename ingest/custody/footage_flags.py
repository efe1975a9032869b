"""Flags about what an original's footage holds against what its device claims, raised at
finalize beside the late-upload flag, in the transaction that indexes the object.

- ``unmeasured_footage``: the length could not be probed, so the recording covers nothing
  (evidence/footage_span.py) until a person has looked at it;
- ``claim_mismatch``: a claimed start, end or length differs from the measurement by more
  than ``compliance.claim_tolerance_seconds``; the detail has both.

Review copies and transcripts are not evidence of time and raise neither.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from evidence.footage_span import FootageSpan
from evidence.identifiers import Role
from evidence.manifest import Manifest
from evidence.strict_json import format_time
from ingest.context import ServerContext
from ingest.custody.flags import FlagKind, new_flag
from storage.records import NewFlag

__all__ = ["footage_flags"]

log = logging.getLogger(__name__)


def footage_flags(ctx: ServerContext, manifest: Manifest) -> tuple[NewFlag, ...]:
    if manifest.role is not Role.ORIGINAL:
        return ()
    span = manifest.footage()
    tolerance = ctx.compliance.claim_tolerance_seconds
    flags: list[NewFlag] = []
    if span.measured_ms is None:
        media = manifest.media
        unmeasured: dict[str, Any] = {
            "file_name": manifest.file_name,
            "problem": "no media section" if media is None else media.problem,
            "claimed": _claimed(span),
        }
        flags.append(_flag(ctx, FlagKind.UNMEASURED_FOOTAGE, manifest, unmeasured))
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
        flags.append(_flag(ctx, FlagKind.CLAIM_MISMATCH, manifest, detail))
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


def _flag(
    ctx: ServerContext, kind: FlagKind, manifest: Manifest, detail: dict[str, Any]
) -> NewFlag:
    return new_flag(
        ctx,
        kind,
        str(manifest.evidence_id),
        detail,
        device_id=manifest.device_id,
        evidence_id=manifest.evidence_id,
        role=manifest.role,
    )
