"""What a docked camera holds, read off its bay. Blocking: run it in a thread.

A bay is docked when its folder holds anything (a camera's storage mounted there); an
empty or missing folder is an empty bay. The camera's layout is its own (``DCIM/100MEDIA``
or anything else): every file that is not a sidecar, hidden, or ignored by
``agent.ignore`` is footage, with the sidecar found beside it, of either shape.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.watcher import is_ignored
from devices.clock import ClockReading
from devices.sidecar import SIDECAR_SUFFIXES
from devices.sidecars import FoundSidecar, load_sidecar

__all__ = ["CameraFile", "camera_name", "clock_readings", "list_camera", "newest_file", "safe_part"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class CameraFile:
    path: Path
    source: str  # relative to the bay, with '/'
    size: int
    mtime_ns: int
    sidecar: FoundSidecar | None

    @property
    def important(self) -> bool:
        found = self.sidecar
        return found is not None and found.sidecar is not None and found.sidecar.important


def list_camera(bay: Path, ignore: Sequence[str]) -> list[CameraFile] | None:
    """The footage on the camera docked in ``bay``; None when the bay is empty."""
    try:
        if not any(bay.iterdir()):
            return None
    except OSError:  # missing, or a mount point torn away
        return None
    found = []
    for folder, dirs, files in os.walk(bay):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if name.startswith(".") or path.suffix in SIDECAR_SUFFIXES or is_ignored(path, ignore):
                continue
            try:
                seen = path.stat()
            except OSError:
                continue  # pulled while we looked: the next look says so
            relative = path.relative_to(bay).as_posix()
            found.append(
                CameraFile(path, relative, seen.st_size, seen.st_mtime_ns, load_sidecar(path))
            )
    return found


def camera_name(files: Sequence[CameraFile], bay_name: str) -> str:
    """The camera's serial as its sidecars give it, made safe for a path; else the bay's."""
    for item in files:
        sidecar = item.sidecar.sidecar if item.sidecar else None
        if sidecar is not None and sidecar.device_serial:
            return safe_part(sidecar.device_serial)
    return bay_name


def safe_part(text: str) -> str:
    cleaned = _UNSAFE.sub("_", text).lstrip(".")[:64]
    return cleaned or "_"


def clock_readings(files: Sequence[CameraFile]) -> list[ClockReading]:
    readings: list[ClockReading] = []
    for item in files:
        sidecar = item.sidecar.sidecar if item.sidecar else None
        if sidecar is not None and sidecar.camera_clock is not None:
            readings.append((sidecar.camera_clock, sidecar.station_clock))
    return readings


def newest_file(files: Sequence[CameraFile]) -> datetime | None:
    newest = max((item.mtime_ns for item in files), default=None)
    return None if newest is None else datetime.fromtimestamp(newest / 1e9, UTC)
