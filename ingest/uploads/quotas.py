"""Per-device quotas on uploads, as a rule without I/O: a device may hold so many open
uploads, and their partial files (each allocated at its full length) so many bytes.
Open uploads that have not expired count against the number a device may have; every
open one (expired too, until the sweeper removes its partial file) holds its full length
on disk. A creation over quota is refused before any disk is reserved (429
``quota_exceeded``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from evidence.errors import QuotaExceeded
from evidence.identifiers import DeviceId

__all__ = ["UploadLimits", "check_quota"]


@dataclass(frozen=True, slots=True)
class UploadLimits:
    size_limit: int  # the largest object (Tus-Max-Size)
    max_open: int  # open uploads per device; 0 pauses new ones
    max_reserved: int  # bytes their partial files may reserve, per device
    expiry: timedelta  # an upload untouched this long expires


def check_quota(
    device_id: DeviceId, count: int, reserved: int, length: int, limits: UploadLimits
) -> None:
    """Refuse a new upload of ``length`` bytes for a device holding ``count`` open uploads
    that reserve ``reserved`` bytes."""
    most, room = limits.max_open, limits.max_reserved
    if count >= most:
        raise QuotaExceeded(
            f"device {device_id} has {count} uploads open, the most it may; "
            "retry when one finishes",
            quota="open_uploads",
            open_uploads=count,
            limit=most,
        )
    if reserved + length > room:
        raise QuotaExceeded(
            f"device {device_id} has {reserved} bytes reserved by open uploads; "
            f"{length} more would pass its limit of {room}; retry when one finishes",
            quota="reserved_bytes",
            reserved_bytes=reserved,
            requested_bytes=length,
            limit=room,
        )
