"""A simulated docking station: a body camera records into its own storage, then the dock
copies the clip into a bay folder in blocks, sidecar first, as real docks offload. A clip
may be broken on purpose (devices/broken.py), as a dying battery or a bad card leaves it;
its sidecar still claims what the camera meant to record."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from devices.broken import write_empty, write_not_media, write_truncated, write_undecodable
from devices.footage import write_clip
from devices.sidecar import Sidecar, write_sidecar

__all__ = ["BROKEN_KINDS", "BodyCamera", "SimulatedClip"]

BROKEN_KINDS = ("truncated", "empty", "not-media", "undecodable")


def _write_broken(kind: str, path: Path, started_at: datetime, seconds: float) -> None:
    match kind:
        case "truncated":
            write_truncated(path, started_at=started_at, seconds=seconds)
        case "empty":
            write_empty(path)
        case "not-media":
            write_not_media(path)
        case "undecodable":
            write_undecodable(path, started_at=started_at, seconds=seconds)
        case _:
            raise ValueError(f"broken footage is one of {', '.join(BROKEN_KINDS)}, not {kind!r}")


@dataclass(frozen=True, slots=True)
class SimulatedClip:
    media: Path
    sidecar: Path
    metadata: Sidecar


@dataclass
class BodyCamera:
    """One camera and its officer, docked in ``bay``."""

    bay: Path
    device_serial: str = "BWC-00042"
    device_model: str = "DSJ-V9"
    officer_id: str = "130102001"
    officer_name: str = "张伟"
    clips_recorded: int = 0

    def _sidecar(
        self,
        started_at: datetime,
        seconds: float,
        case_number: str | None,
        place: str | None,
        proves: str | None,
    ) -> Sidecar:
        return Sidecar(
            device_model=self.device_model,
            device_serial=self.device_serial,
            officer_id=self.officer_id,
            officer_name=self.officer_name,
            case_number=case_number,
            place=place,
            proves=proves,
            started_at=started_at,
            ended_at=started_at + timedelta(seconds=seconds),
        )

    def record(
        self,
        *,
        started_at: datetime,
        seconds: float = 3.0,
        case_number: str | None = None,
        place: str | None = None,
        proves: str | None = None,
        width: int = 640,
        height: int = 360,
        copy_block: int = 256 * 1024,
        copy_pause: float = 0.0,
        broken: str | None = None,
    ) -> SimulatedClip:
        """Record a clip and offload it into the bay; return where it landed. ``broken``
        (one of BROKEN_KINDS) writes that kind of broken file instead of a playable one."""
        self.clips_recorded += 1
        stem = f"{self.device_serial}_{self.officer_id}_{started_at:%Y%m%d%H%M%S}_{self.clips_recorded:04d}"
        sidecar = self._sidecar(started_at, seconds, case_number, place, proves)
        media, sidecar_path = _free_names(self.bay, stem)
        with tempfile.TemporaryDirectory(prefix="camera-") as camera_storage:
            recorded = Path(camera_storage) / media.name
            if broken is not None:
                _write_broken(broken, recorded, started_at, seconds)
            else:
                hue = (self.clips_recorded * 37) % 256
                write_clip(
                    recorded, seconds=seconds, started_at=started_at, width=width, height=height,
                    hue=hue,
                )  # fmt: skip
            write_sidecar(sidecar_path, sidecar)
            _offload(recorded, media, copy_block, copy_pause)
        return SimulatedClip(media, sidecar_path, sidecar)


def _free_names(bay: Path, stem: str) -> tuple[Path, Path]:
    """Where a clip and its sidecar go in the bay; a dock never writes over footage."""
    bay.mkdir(parents=True, exist_ok=True)
    media, sidecar = bay / f"{stem}.MP4", bay / f"{stem}.json"
    for existing in (media, sidecar):
        if existing.exists():
            raise FileExistsError(f"{existing} exists already")
    return media, sidecar


def _offload(source: Path, target: Path, block: int, pause: float) -> None:
    """Copy in blocks, so a watcher sees the file grow before it is closed."""
    with open(source, "rb") as src, open(target, "xb") as out:
        while chunk := src.read(block):
            out.write(chunk)
            out.flush()
            if pause:
                time.sleep(pause)
    shutil.copystat(source, target)
