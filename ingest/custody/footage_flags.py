"""Flags about an original's footage, raised at finalize in the transaction that indexes
the object:

- ``late_upload``: stored more than ``compliance.late_upload_hours`` after its capture ended
  (as its footage measures it: its start plus the probed length; its start when that is
  unknown; on the station's clock when the dock measured the camera's), with the hours in
  force at that moment. A device's claimed end cannot put it off;
- ``unmeasured_footage`` and ``claim_mismatch``: which ones and their details are
  evidence/footage_findings.py, the rule an index migrated from before them follows too.

Review copies and transcripts are made later on purpose and are not evidence of time:
they raise none of these.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from evidence.footage_findings import UNMEASURED_FOOTAGE, footage_findings
from evidence.identifiers import Role
from evidence.manifest import Manifest
from evidence.strict_json import format_time
from ingest.custody.dock_flags import station_time
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
    # On the station's clock, as received_at is on the server's: a camera whose clock ran
    # years behind would otherwise make every upload late.
    signed_until = manifest.capture_end() or manifest.capture.started_at
    captured_until = station_time(manifest, signed_until)
    hours = (received_at - captured_until).total_seconds() / 3600
    if hours <= limit:
        return ()
    detail: dict[str, Any] = {
        "case_number": None if manifest.case_number is None else str(manifest.case_number),
        "captured_until": format_time(captured_until.astimezone(UTC)),
        "received_at": format_time(received_at.astimezone(UTC)),
        "hours": round(hours, 1),
        "late_upload_hours": limit,
    }
    if manifest.clock is not None:
        detail["camera_offset_ms"] = manifest.clock.offset_ms
    log.warning("late upload: %s arrived %.1f h after capture", manifest.evidence_id, hours)
    return (_flag(FlagKind.LATE_UPLOAD, manifest, detail, now),)


def footage_flags(manifest: Manifest, now: datetime, tolerance: float) -> tuple[NewFlag, ...]:
    """``unmeasured_footage`` and ``claim_mismatch``, as the original's footage calls for."""
    if manifest.role is not Role.ORIGINAL:
        return ()
    findings = footage_findings(manifest.footage(), manifest.media, manifest.file_name, tolerance)
    flags = []
    for kind, detail in findings:
        if kind == UNMEASURED_FOOTAGE:
            log.warning("%s: length not measured; it covers no time", manifest.evidence_id)
        else:
            disagree = detail["disagree"]
            log.warning("%s: claimed %s disagree with the footage", manifest.evidence_id, disagree)
        flags.append(_flag(FlagKind(kind), manifest, detail, now))
    return tuple(flags)


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
