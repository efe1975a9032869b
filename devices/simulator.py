"""A simulated docking station: a body camera records into its own storage, then the dock
copies the clip into a bay folder in blocks, sidecar first, as real docks offload."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from devices.footage import write_clip
from devices.sidecar import Sidecar, write_sidecar

__all__ = ["BodyCamera", "SimulatedClip"]


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
    ) -> SimulatedClip:
        """Record a clip and offload it into the bay; return where it landed."""
        self.clips_recorded += 1
        stem = f"{self.device_serial}_{self.officer_id}_{started_at:%Y%m%d%H%M%S}_{self.clips_recorded:04d}"
        sidecar = Sidecar(
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
        self.bay.mkdir(parents=True, exist_ok=True)
        media = self.bay / f"{stem}.MP4"
        sidecar_path = self.bay / f"{stem}.json"
        with tempfile.TemporaryDirectory(prefix="camera-") as camera_storage:
            recorded = Path(camera_storage) / media.name
            write_clip(
                recorded,
                seconds=seconds,
                started_at=started_at,
                width=width,
                height=height,
                hue=(self.clips_recorded * 37) % 256,
            )
            write_sidecar(sidecar_path, sidecar)
            _offload(recorded, media, copy_block, copy_pause)
        return SimulatedClip(media, sidecar_path, sidecar)


def _offload(source: Path, target: Path, block: int, pause: float) -> None:
    """Copy in blocks, so a watcher sees the file grow before it is closed."""
    with open(source, "rb") as src, open(target, "wb") as out:
        while chunk := src.read(block):
            out.write(chunk)
            out.flush()
            if pause:
                time.sleep(pause)
    shutil.copystat(source, target)
