"""The dock sections of manifest v1, added after its first release; both may be absent.

    clock   the capture device's clock against the station's, measured when the camera
            docked: ``camera_offset_ms`` is camera minus station (positive: the camera
            runs ahead). Capture times in the manifest stay as the device claimed them;
            a reader corrects them with ``CameraClock.station_time``.
    camera  what the capture device claimed about this file and what became of the
            claims: the bay it was copied from, the sidecar's shape and why it could not
            be used, the important mark (重要标记), and the device's own digest of the
            file (完整性校验值) with whether the agent's digest agreed.

A writer omits a section that would say nothing, so a manifest without dock facts keeps
the exact form it had before these sections existed (docs/manifest.md, upgrade order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evidence.errors import MalformedManifest
from evidence.strict_json import Fields, format_time

__all__ = [
    "CLOCK_METHODS",
    "DIGEST_ALGORITHMS",
    "MAX_CLOCK_OFFSET_MS",
    "SIDECAR_SHAPES",
    "CameraClaims",
    "CameraClock",
    "ClaimedDigest",
    "read_camera",
    "read_clock",
]

# A camera whose clock battery died wakes in 2000 or 1970: offsets of decades are real.
MAX_CLOCK_OFFSET_MS = 100 * 366 * 86_400_000
CLOCK_METHODS = ("sidecar_clock", "newest_file")
SIDECAR_SHAPES = ("json", "xml")
DIGEST_ALGORITHMS = {"md5": 32, "sha256": 64}  # and their length in hex
_HEX = re.compile(r"[0-9a-f]+")
_BAY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True, slots=True)
class CameraClock:
    """``offset_ms`` = camera clock − station clock, as measured at ``measured_at``
    (station time) by ``method`` (one of CLOCK_METHODS, docs/manifest.md)."""

    offset_ms: int
    measured_at: datetime
    method: str

    def station_time(self, camera_time: datetime) -> datetime:
        """What the station's clock read when the camera's clock read ``camera_time``."""
        return camera_time - timedelta(milliseconds=self.offset_ms)

    def to_document(self) -> dict[str, Any]:
        return {
            "camera_offset_ms": self.offset_ms,
            "measured_at": format_time(self.measured_at),
            "method": self.method,
        }


@dataclass(frozen=True, slots=True)
class ClaimedDigest:
    """The capture device's digest of the file, and whether the agent's own agreed."""

    algorithm: str
    value: str
    matches: bool

    def to_document(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "value": self.value, "matches": self.matches}


@dataclass(frozen=True, slots=True)
class CameraClaims:
    bay: str | None = None
    sidecar: str | None = None
    sidecar_problem: str | None = None
    important: bool = False
    digest: ClaimedDigest | None = None

    def says_anything(self) -> bool:
        return self != CameraClaims(sidecar=self.sidecar)

    def to_document(self) -> dict[str, Any]:
        return {
            "bay": self.bay,
            "sidecar": self.sidecar,
            "sidecar_problem": self.sidecar_problem,
            "important": self.important,
            "claimed_digest": None if self.digest is None else self.digest.to_document(),
        }


def read_clock(fields: Fields | None) -> CameraClock | None:
    if fields is None:
        return None
    offset = fields.integer(
        "camera_offset_ms", minimum=-MAX_CLOCK_OFFSET_MS, maximum=MAX_CLOCK_OFFSET_MS
    )
    measured_at = fields.time("measured_at")
    method = fields.text("method", max_length=32)
    if method not in CLOCK_METHODS:
        raise MalformedManifest(
            f"clock.method must be one of {CLOCK_METHODS}", field="clock.method"
        )
    fields.done()
    return CameraClock(offset, measured_at, method)


def _digest(fields: Fields | None) -> ClaimedDigest | None:
    if fields is None:
        return None
    algorithm = fields.text("algorithm", max_length=16)
    length = DIGEST_ALGORITHMS.get(algorithm)
    value = fields.text("value", max_length=64)
    if length is None or len(value) != length or not _HEX.fullmatch(value):
        raise MalformedManifest(
            "camera.claimed_digest is an md5 (32 hex) or sha256 (64 hex) in lowercase",
            field="camera.claimed_digest",
        )
    digest = ClaimedDigest(algorithm, value, fields.boolean("matches"))
    fields.done()
    return digest


def read_camera(fields: Fields | None) -> CameraClaims | None:
    if fields is None:
        return None
    bay = fields.optional_text("bay", max_length=64)
    if bay is not None and not _BAY.fullmatch(bay):
        raise MalformedManifest("camera.bay is 1-64 of A-Z a-z 0-9 . _ -", field="camera.bay")
    sidecar = fields.optional_text("sidecar", max_length=16)
    if sidecar is not None and sidecar not in SIDECAR_SHAPES:
        raise MalformedManifest(
            f"camera.sidecar must be one of {SIDECAR_SHAPES} or null", field="camera.sidecar"
        )
    problem = fields.optional_text("sidecar_problem")
    if problem is not None and sidecar is None:
        raise MalformedManifest(
            "camera.sidecar_problem needs camera.sidecar", field="camera.sidecar_problem"
        )
    claims = CameraClaims(
        bay,
        sidecar,
        problem,
        fields.boolean("important"),
        _digest(fields.optional_section("claimed_digest")),
    )
    fields.done()
    return claims
