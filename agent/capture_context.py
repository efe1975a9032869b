"""What the agent adds to an original's manifest beyond its bytes and its sidecar, asked
once when it signs: the camera's clock as measured when it docked, what the camera claimed
(its digest, checked against ours; the important mark; whether its sidecar could be used;
the bay it came from), and the room session a recorder's segment belongs to.

A claim that fails is recorded, never trusted and never in the way: a digest that
disagrees is an alarm and a ``camera_digest_mismatch`` event, an unusable sidecar a note on
the file and a ``sidecar_unusable`` event; the footage is signed and uploaded all the same.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from agent.docks.book import DockBook, StagedFile
from agent.notes import Note, NoteKind, Notes
from agent.telemetry.outbox import Announce
from devices.clock import measure
from devices.sidecar import CheckValue
from devices.sidecars import FoundSidecar
from evidence.digest import Sha256
from evidence.manifest_dock import CameraClaims, CameraClock, ClaimedDigest
from evidence.manifest_media import Session

__all__ = ["CaptureContext", "Extras", "SessionBinder", "StationContext", "extras_for"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Extras:
    clock: CameraClock | None = None
    camera: CameraClaims | None = None
    session: Session | None = None


class CaptureContext(Protocol):
    async def extras(
        self, path: Path, found: FoundSidecar | None, sha256: Sha256, started_at: datetime
    ) -> Extras: ...


async def extras_for(
    context: CaptureContext | None,
    path: Path,
    found: FoundSidecar | None,
    sha256: Sha256,
    modified_at: datetime,
) -> Extras:
    """What ``context`` adds to an original's manifest; nothing without one. The capture
    start is the sidecar's, else the file's mtime, as the manifest's own."""
    if context is None:
        return Extras()
    sidecar = found.sidecar if found else None
    started_at = sidecar.started_at if sidecar and sidecar.started_at else modified_at
    return await context.extras(path, found, sha256, started_at)


class SessionBinder(Protocol):
    async def bind(self, path: Path, started_at: datetime) -> Session | None: ...


def _md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _pair_clock(found: FoundSidecar | None) -> CameraClock | None:
    """A file taken from a folder: measured only when its sidecar holds both readings."""
    sidecar = found.sidecar if found else None
    if sidecar is None or sidecar.camera_clock is None or sidecar.station_clock is None:
        return None
    return measure([(sidecar.camera_clock, sidecar.station_clock)], None, sidecar.station_clock)


class StationContext:
    def __init__(
        self,
        book: DockBook,
        notes: Notes,
        announce: Announce,
        binder: SessionBinder | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.book = book
        self.notes = notes
        self.announce = announce
        self.binder = binder
        self.clock = clock

    async def extras(
        self, path: Path, found: FoundSidecar | None, sha256: Sha256, started_at: datetime
    ) -> Extras:
        staged = await self.book.of_target(path)
        clock = staged.docking.clock if staged is not None else _pair_clock(found)
        claims = await self._claims(path, found, sha256, staged)
        session = None
        if self.binder is not None and not (found and found.sidecar and found.sidecar.session_id):
            session = await self.binder.bind(path, started_at)
        return Extras(clock, claims if claims.says_anything() else None, session)

    async def _claims(
        self, path: Path, found: FoundSidecar | None, sha256: Sha256, staged: StagedFile | None
    ) -> CameraClaims:
        sidecar = found.sidecar if found else None
        problem = found.problem.message if found and found.problem else None
        if problem is not None:
            await self._note(NoteKind.SIDECAR, path, False, problem, "sidecar_unusable", {})
        digest = None
        if sidecar is not None and sidecar.check_value is not None:
            digest = await self._check(path, sidecar.check_value, sha256, staged)
        return CameraClaims(
            bay=staged.docking.bay if staged else None,
            sidecar=found.shape if found else None,
            sidecar_problem=problem,
            important=bool(sidecar and sidecar.important),
            digest=digest,
        )

    async def _check(
        self, path: Path, claim: CheckValue, sha256: Sha256, staged: StagedFile | None
    ) -> ClaimedDigest:
        if claim.algorithm == "sha256":
            ours = sha256.hex
        elif staged is not None and staged.md5 is not None:
            ours = staged.md5  # computed as the bytes were staged
        else:
            ours = await asyncio.to_thread(_md5_of, path)
        digest = ClaimedDigest(claim.algorithm, claim.value, ours == claim.value)
        if not digest.matches:
            message = (
                f"the camera's {claim.algorithm} is {claim.value}, the file's is {ours}: "
                "kept, signed and uploaded as it is; the manifest says so"
            )
            detail = {"algorithm": claim.algorithm, "claimed": claim.value, "computed": ours}
            await self._note(
                NoteKind.CAMERA_DIGEST, path, True, message, "camera_digest_mismatch", detail
            )
        return digest

    async def _note(
        self,
        kind: NoteKind,
        path: Path,
        alarm: bool,
        message: str,
        event: str,
        detail: dict[str, str],
    ) -> None:
        if await self.notes.put(Note(self.clock(), kind, str(path), alarm, message)):
            log.log(logging.WARNING if alarm else logging.INFO, "%s: %s", path.name, message)
            await self.announce.event(event, str(path), {"message": message, **detail})
