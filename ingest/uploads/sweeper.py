"""Expire uploads nobody finished in time, and remove the partial files a crash left behind
(``uploads/orphans.py``). Only partial transfer files are removed: the device still holds
the original, because it has no receipt for it. The server reconciles its upload area once
as it starts (``startup.py``); the periodic task that calls ``sweep`` is started with the
HTTP application (``http/app.py``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from evidence.errors import Locked
from ingest.clock import Clock
from ingest.locks import KeyedLocks, upload_key
from ingest.uploads.orphans import OrphanSweep
from ingest.uploads.transitions import Transitions
from storage.interfaces import UploadSessions
from storage.records import UploadState

__all__ = ["Sweeper"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweeper:
    uploads: UploadSessions
    locks: KeyedLocks
    transitions: Transitions
    clock: Clock
    interval_seconds: float  # server.sweep_interval_seconds
    orphans: OrphanSweep
    # Store locks the bucket has not taken yet (retention_locks.LockKeeper.catch_up).
    locks_catch_up: Callable[[], Awaitable[object]] | None = None

    async def sweep(self) -> int:
        """Expire every upload whose time is up; return how many."""
        expired = 0
        for upload in await self.uploads.expired(self.clock()):
            try:
                async with self.locks.hold(upload_key(upload.upload_id), wait=False):
                    moved = await self.transitions.end(upload, UploadState.EXPIRED)
            except Locked:
                continue  # a request is using it right now; next sweep
            if not moved:
                continue  # finished or ended since it was read
            expired += 1
            log.info(
                "upload %s expired at offset %d of %d",
                upload.upload_id,
                upload.offset,
                upload.length,
            )
        return expired

    async def sweep_all(self) -> None:
        """One periodic pass: expiry, orphans, then the store locks still to apply."""
        try:
            await self.sweep()
            await self.orphans.sweep()
        except Exception:
            log.exception("expiry sweep failed; will try again")
        if self.locks_catch_up is not None:
            try:
                await self.locks_catch_up()
            except Exception:
                log.exception("store locks' catch-up failed; will try again")

    async def run_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval_seconds)
            await self.sweep_all()
