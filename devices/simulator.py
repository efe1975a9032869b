"""A simulated body camera: it records into its own storage, then the clip is copied into a
folder in blocks, sidecar first, as real docks offload (``devices/camera_mount.py`` docks
the camera's whole storage into a bay instead). A clip may be broken on purpose
(devices/broken.py), as a dying battery or a bad card leaves it; its sidecar still claims
what the camera meant to record.

The camera may keep its own time (``clock_offset``: seconds ahead of true time): then every
time it writes (sidecar start and end, the file's mtime, its clock reading) is on its
clock, as a camera whose clock has drifted writes them. Its sidecar may be JSON or XML,
carry the camera's digest of the file (right or wrong), the important mark, or be
malformed on purpose.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from devices.broken import write_empty, write_not_media, write_truncated, write_undecodable
from devices.footage import write_clip
from devices.sidecar import CheckValue, Sidecar, write_sidecar
from devices.sidecar_xml import write_xml_sidecar
from evidence.strict_json import format_time

__all__ = ["BROKEN_KINDS", "SIDECAR_SHAPES", "BodyCamera", "SimulatedClip", "write_shaped"]

BROKEN_KINDS = ("truncated", "empty", "not-media", "undecodable")
SIDECAR_SHAPES = ("json", "xml")


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


def write_shaped(path: Path, sidecar: Sidecar, *, malformed: bool = False) -> None:
    """Write ``sidecar`` in the shape its suffix names. ``malformed``: its start time
    loses its UTC offset, as a dock with a misconfigured zone writes it."""
    if path.suffix.lower() == ".xml":
        write_xml_sidecar(path, sidecar)
    else:
        write_sidecar(path, sidecar)
    if malformed and sidecar.started_at is not None:
        text = path.read_text("utf-8")
        naive = sidecar.started_at.strftime("%Y-%m-%d %H:%M:%S")
        path.write_text(text.replace(format_time(sidecar.started_at), naive), "utf-8")


def _check_value(media: Path, algorithm: str, wrong: bool) -> CheckValue:
    digest = hashlib.new(algorithm)
    with open(media, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    value = digest.hexdigest()
    if wrong:  # a camera whose card or firmware corrupted the file after hashing it
        value = value[:-1] + ("0" if value[-1] != "0" else "1")
    return CheckValue(algorithm, value)


@dataclass(frozen=True, slots=True)
class SimulatedClip:
    media: Path
    sidecar: Path
    metadata: Sidecar


@dataclass
class BodyCamera:
    """One camera and its officer; it offloads into ``bay``."""

    bay: Path
    device_serial: str = "BWC-00042"
    device_model: str = "DSJ-V9"
    officer_id: str = "130102001"
    officer_name: str = "张伟"
    clips_recorded: int = 0
    clock_offset: float | None = None  # seconds ahead of true time; None: not modelled
    sidecar_shape: str = "json"

    def now(self) -> datetime:
        """What the camera's clock reads now."""
        return datetime.now(UTC) + timedelta(seconds=self.clock_offset or 0.0)

    def _claims(
        self,
        started_at: datetime,
        seconds: float,
        case_number: str | None,
        place: str | None,
        proves: str | None,
        important: bool,
    ) -> Sidecar:
        ahead = timedelta(seconds=self.clock_offset or 0.0)
        return Sidecar(
            device_model=self.device_model,
            device_serial=self.device_serial,
            officer_id=self.officer_id,
            officer_name=self.officer_name,
            started_at=started_at + ahead,
            ended_at=started_at + ahead + timedelta(seconds=seconds),
            case_number=case_number,
            place=place,
            proves=proves,
            important=important,
            camera_clock=None if self.clock_offset is None else self.now(),
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
        important: bool = False,
        check_value: str | None = None,
        wrong_check_value: bool = False,
        malformed_sidecar: bool = False,
    ) -> SimulatedClip:
        """Record a clip at true time ``started_at`` and offload it into the bay; return
        where it landed. ``broken`` (one of BROKEN_KINDS) writes that kind of broken file
        instead of a playable one; ``check_value`` ("md5" or "sha256") puts the camera's
        digest in the sidecar, wrong on purpose with ``wrong_check_value``."""
        self.clips_recorded += 1
        claims = self._claims(started_at, seconds, case_number, place, proves, important)
        media, sidecar_path = self._names(started_at + timedelta(seconds=self.clock_offset or 0))
        with tempfile.TemporaryDirectory(prefix="camera-") as camera_storage:
            recorded = Path(camera_storage) / media.name
            self._write_media(recorded, broken, started_at, seconds, width, height)
            if check_value is not None:
                claims = replace(
                    claims, check_value=_check_value(recorded, check_value, wrong_check_value)
                )
            write_shaped(sidecar_path, claims, malformed=malformed_sidecar)
            _offload(recorded, media, copy_block, copy_pause)
        if self.clock_offset is not None and claims.ended_at is not None:
            stamp = claims.ended_at.timestamp()  # the camera closed the file on its clock
            os.utime(media, (stamp, stamp))
        return SimulatedClip(media, sidecar_path, claims)

    def _names(self, started: datetime) -> tuple[Path, Path]:
        """Where the clip and its sidecar land (named by the camera's start on its own
        clock); a dock never writes over footage."""
        stem = f"{self.device_serial}_{self.officer_id}_{started:%Y%m%d%H%M%S}_{self.clips_recorded:04d}"
        self.bay.mkdir(parents=True, exist_ok=True)
        media = self.bay / f"{stem}.MP4"
        sidecar = self.bay / f"{stem}.{self.sidecar_shape}"
        for existing in (media, sidecar):
            if existing.exists():
                raise FileExistsError(f"{existing} exists already")
        return media, sidecar

    def _write_media(
        self,
        path: Path,
        broken: str | None,
        started_at: datetime,
        seconds: float,
        width: int,
        height: int,
    ) -> None:
        claimed = started_at + timedelta(seconds=self.clock_offset or 0.0)
        if broken is not None:
            _write_broken(broken, path, claimed, seconds)
            return
        write_clip(
            path,
            seconds=seconds,
            started_at=claimed,
            width=width,
            height=height,
            hue=(self.clips_recorded * 37) % 256,
        )


def _offload(source: Path, target: Path, block: int, pause: float) -> None:
    """Copy in blocks, so a watcher sees the file grow before it is closed."""
    with open(source, "rb") as src, open(target, "xb") as out:
        while chunk := src.read(block):
            out.write(chunk)
            out.flush()
            if pause:
                time.sleep(pause)
    shutil.copystat(source, target)
