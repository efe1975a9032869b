"""The bays loop: notice cameras docking and leaving, measure each camera's clock as it
docks, and copy its footage into the staging area, where the pipeline takes it.

Every ``agent.bay_poll_seconds`` (or at once on a rescan command) each bay is looked at:

    empty → holding files   the camera docked: a docking is recorded with its clock
                            (devices/clock.py), a drift past the threshold is an alarm
    holding files           each file not yet staged is copied (important ones first),
                            its sidecar before it (agent/docks/staging.py)
    holding files → empty   the camera left; a copy it cut short resumes when it is back

Under disk pressure nothing new is staged: the footage stays on the camera, which is
where it is safest, with an alarm. Nothing here changes or deletes a camera's file.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from agent.config import AgentConfig, BayConfig
from agent.docks.book import DockBook, Docking, StagedFile
from agent.docks.camera_files import (
    CameraFile,
    camera_name,
    clock_readings,
    list_camera,
    newest_file,
    safe_part,
)
from agent.docks.staging import CopyJob, copy_resumably, copy_small
from agent.notes import Note, NoteKind, Notes
from agent.telemetry.outbox import Announce
from devices.clock import drifted, measure
from evidence.errors import BayUnavailable

__all__ = ["Bays", "DiskPressure", "FreeSpace"]

log = logging.getLogger(__name__)


class DiskPressure(Protocol):
    """Is the dock's disk too full to take more footage? (agent/disk.py's DiskWatch.)"""

    @property
    def pressure(self) -> bool: ...


@dataclass(frozen=True)
class FreeSpace:
    """The least a disk watch can be: pressure when less than ``min_free`` bytes are free."""

    path: Path
    min_free: int

    @property
    def pressure(self) -> bool:
        try:
            return shutil.disk_usage(self.path).free < self.min_free
        except OSError:
            return False


class Bays:
    def __init__(
        self,
        config: AgentConfig,
        book: DockBook,
        notes: Notes,
        announce: Announce,
        disk: DiskPressure,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.book = book
        self.notes = notes
        self.announce = announce
        self.disk = disk
        self.clock = clock
        self.wake = asyncio.Event()
        self.on_block: Callable[[Path, int], None] | None = None  # tests pull cameras here
        self._docked: dict[str, Docking] | None = None
        self.quiet_since: float | None = None  # monotonic: since then nothing was staged

    async def once(self) -> None:
        """Look at every bay, then wait for the next look."""
        if self._docked is None:
            self._docked = await self.book.open_dockings()  # the camera may still be there
        began = time.monotonic()
        busy = [await self._look(bay, self._docked) for bay in self.config.bays]
        if any(busy):
            self.quiet_since = None
        elif self.quiet_since is None:
            self.quiet_since = began
        self.wake.clear()
        try:
            async with asyncio.timeout(self.config.bay_poll_seconds):
                await self.wake.wait()
        except TimeoutError:
            pass

    def settled(self, rescan_started: float) -> bool:
        """Nothing more to bring: a whole round staged nothing, and a rescan of the
        staging area began after it (``agent run --once``)."""
        return self.quiet_since is not None and rescan_started > self.quiet_since

    async def _look(self, bay: BayConfig, docked: dict[str, Docking]) -> bool:
        """Look at one bay; True if anything was staged or a copy was cut short."""
        files = await asyncio.to_thread(list_camera, bay.path, self.config.ignore)
        docking = docked.get(bay.name)
        if files is None:
            if docking is not None:
                del docked[bay.name]
                await self._undocked(docking)
            return False
        if docking is None:
            docking = docked[bay.name] = await self._docked_now(bay, files)
        return await self._stage_all(docking, files)

    async def _docked_now(self, bay: BayConfig, files: list[CameraFile]) -> Docking:
        now = self.clock()
        at = datetime.fromtimestamp(now, UTC)
        clock = measure(clock_readings(files), newest_file(files), at)
        docking = await self.book.docked(bay.name, camera_name(files, bay.name), now, clock)
        log.info("camera %s docked in %s with %d file(s)", docking.camera, bay.name, len(files))
        await self.announce.event(
            "camera_docked",
            docking.camera,
            {
                "bay": bay.name,
                "files": len(files),
                "clock": None if clock is None else clock.to_document(),
            },
        )
        await self._note_clock(docking)
        return docking

    async def _note_clock(self, docking: Docking) -> None:
        clock = docking.clock
        if clock is None:
            return
        alarm = drifted(clock, self.config.clock_drift_alarm_seconds)
        message = (
            f"clock {clock.offset_ms / 1000:+.1f} s off the station's "
            f"({clock.method}, docked in {docking.bay})"
        )
        note = Note(self.clock(), NoteKind.CLOCK, f"camera {docking.camera}", alarm, message)
        if await self.notes.put(note) and alarm:
            log.warning("camera %s: %s", docking.camera, message)
            await self.announce.event("clock_drift", docking.camera, clock.to_document())

    async def _undocked(self, docking: Docking) -> None:
        await self.book.undocked(docking, self.clock())
        log.info("camera %s left %s", docking.camera, docking.bay)
        await self.announce.event("camera_undocked", docking.camera, {"bay": docking.bay})

    async def _stage_all(self, docking: Docking, files: Sequence[CameraFile]) -> bool:
        ordered = sorted(files, key=lambda item: (not item.important, item.mtime_ns, item.source))
        left, staged_any = 0, False
        for item in ordered:
            staged = await self.book.find(docking.camera, item.source, item.size, item.mtime_ns)
            if staged is not None and staged.state == "staged":
                continue
            if left or self.disk.pressure:
                left += 1
                continue
            staged_any = True
            try:
                await self._stage(docking, item, staged)
            except BayUnavailable as exc:
                log.warning(
                    "camera %s pulled mid-copy; kept what was copied: %s",
                    docking.camera,
                    exc.message,
                )
                return True
        await self._note_left(docking, left)
        return staged_any

    async def _note_left(self, docking: Docking, left: int) -> None:
        message = (
            f"{left} file(s) left on the camera in {docking.bay}: the dock's disk is low"
            if left
            else f"everything on the camera copied off in {docking.bay}"
        )
        note = Note(self.clock(), NoteKind.STAGING, f"camera {docking.camera}", bool(left), message)
        if await self.notes.put(note) and left:
            log.warning("camera %s: %s", docking.camera, message)
            await self.announce.event(
                "footage_left_on_camera", docking.camera, {"bay": docking.bay, "files": left}
            )
            await self.announce.event("disk_low", None, {"during": "staging"})

    async def _stage(self, docking: Docking, item: CameraFile, staged: StagedFile | None) -> None:
        if staged is None:
            target = await self._free_target(docking.camera, item.source)
            staged = await self.book.begin(docking, item.source, item.size, item.mtime_ns, target)
        elif staged.docking.docking_id != docking.docking_id:
            staged = await self.book.resumed_by(staged, docking)
        if item.sidecar is not None:
            sidecar = item.sidecar.path
            beside = _sidecar_target(item.path, sidecar, staged.target)
            await asyncio.to_thread(copy_small, sidecar, beside)
        hook = self.on_block
        job = CopyJob(
            item.path, self._partial(staged.target), staged.target, item.size, item.mtime_ns
        )
        md5 = await asyncio.to_thread(
            copy_resumably, job, None if hook is None else (lambda done: hook(item.path, done))
        )
        await self.book.finished(staged, md5, self.clock())
        log.info("staged %s from camera %s", staged.target.name, docking.camera)

    def _partial(self, target: Path) -> Path:
        return self.config.data_dir / "copying" / target.relative_to(self.config.staging_dir)

    async def _free_target(self, camera: str, source: str) -> Path:
        """Where a camera's file lands: ``staging/<camera>/<its name>``, one folder deep (a
        watched tree that grows several levels at once loses inotify watches). A name the
        camera used before (in another folder, or after formatting) gets ``name~2.MP4``:
        staging never writes over a file."""
        first = self.config.staging_dir / safe_part(camera) / source.rsplit("/", 1)[-1]
        candidate, n = first, 1
        while await self.book.target_taken(candidate) or candidate.exists():
            n += 1
            candidate = first.with_name(f"{first.stem}~{n}{first.suffix}")
        return candidate


def _sidecar_target(media: Path, sidecar: Path, target: Path) -> Path:
    """The sidecar's name beside the staged copy, in the form the camera used."""
    suffix = sidecar.suffix
    if sidecar.name == media.name + suffix:
        return target.with_name(target.name + suffix)
    return target.with_suffix(suffix)
