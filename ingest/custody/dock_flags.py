"""Flags about what a dock measured and what a camera claimed (the manifest's ``clock`` and
``camera`` sections, docs/manifest.md), raised at finalize beside the footage's own
(``footage_flags.py``), in the transaction that indexes the original:

- ``clock_drift``: the dock measured the camera's clock off the station's by more than
  ``compliance.clock_drift_flag_seconds``. Coverage reads the corrected span either way
  (``recording_spans``, storage/sqlite/schema.sql); the signed times stay as they are.
- ``camera_digest_mismatch``: the camera's own digest of the file is not the file's. A
  SHA-256 claim the server checks itself against the signed ``file.sha256``, which
  finalize has just verified against the bytes; an MD5 one it cannot (it computes no
  MD5), so it takes the dock's verdict and says so (``checked_by``). Either side seeing a
  mismatch raises it.
- ``sidecar_unusable``: the dock could not use the camera's sidecar, so the recording
  went up with the dock's defaults.

Only originals carry these sections (the manifest reader refuses ``camera`` elsewhere).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from evidence.identifiers import Role
from evidence.manifest import Manifest
from evidence.manifest_dock import ClaimedDigest
from evidence.strict_json import format_time
from ingest.custody.flags import FlagKind, new_flag
from storage.records import NewFlag

__all__ = ["digest_verdict", "dock_flags", "station_time"]

log = logging.getLogger(__name__)


def station_time(manifest: Manifest, moment: datetime) -> datetime:
    """``moment``, read on the capture device's clock, on the station's clock."""
    return moment if manifest.clock is None else manifest.clock.station_time(moment)


def dock_flags(
    manifest: Manifest, now: datetime, drift_limit_seconds: float
) -> tuple[NewFlag, ...]:
    """The flags an original's dock sections call for."""
    if manifest.role is not Role.ORIGINAL:
        return ()
    found = [
        *_clock_drift(manifest, drift_limit_seconds),
        *_digest_mismatch(manifest),
        *_sidecar_unusable(manifest),
    ]
    return tuple(_flag(kind, manifest, detail, now) for kind, detail in found)


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment.astimezone(UTC))


def _clock_drift(manifest: Manifest, limit: float) -> list[tuple[FlagKind, dict[str, Any]]]:
    clock = manifest.clock
    if clock is None or abs(clock.offset_ms) <= round(limit * 1000):
        return []
    start, end = manifest.capture.started_at, manifest.capture_end()
    detail = {
        "file_name": manifest.file_name,
        "device_serial": manifest.origin.device_serial,
        "camera_offset_ms": clock.offset_ms,
        "measured_at": _utc(clock.measured_at),
        "method": clock.method,
        "signed": {"started_at": _utc(start), "ended_at": _utc(end)},
        "corrected": {
            "started_at": _utc(station_time(manifest, start)),
            "ended_at": None if end is None else _utc(station_time(manifest, end)),
        },
        "clock_drift_flag_seconds": limit,
    }
    log.warning(
        "%s: camera clock %+.1f s off the dock's; coverage uses corrected times",
        manifest.evidence_id,
        clock.offset_ms / 1000,
    )
    return [(FlagKind.CLOCK_DRIFT, detail)]


def digest_verdict(manifest: Manifest, claim: ClaimedDigest) -> tuple[str, bool]:
    """Who checked the camera's digest (``server`` or ``agent``) and whether it matched.
    The server checks a SHA-256 claim itself, and a mismatch the dock reported stands too."""
    if claim.algorithm == "sha256":
        return "server", claim.matches and claim.value == manifest.sha256.hex
    return "agent", claim.matches


def _digest_mismatch(manifest: Manifest) -> list[tuple[FlagKind, dict[str, Any]]]:
    claim = None if manifest.camera is None else manifest.camera.digest
    if claim is None:
        return []
    checked_by, matches = digest_verdict(manifest, claim)
    if matches:
        return []
    detail = {
        "file_name": manifest.file_name,
        "device_serial": manifest.origin.device_serial,
        "algorithm": claim.algorithm,
        "claimed": claim.value,
        "sha256": manifest.sha256.hex,
        "dock_says_match": claim.matches,
        "checked_by": checked_by,
    }
    log.warning("%s: the camera's %s digest disagrees", manifest.evidence_id, claim.algorithm)
    return [(FlagKind.CAMERA_DIGEST_MISMATCH, detail)]


def _sidecar_unusable(manifest: Manifest) -> list[tuple[FlagKind, dict[str, Any]]]:
    camera = manifest.camera
    if camera is None or camera.sidecar_problem is None:
        return []
    detail = {
        "file_name": manifest.file_name,
        "sidecar": camera.sidecar,
        "problem": camera.sidecar_problem,
        "time_source": manifest.capture.time_source,
    }
    return [(FlagKind.SIDECAR_UNUSABLE, detail)]


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
