"""What the pipeline does when a step fails, and how a held file is sent again
(the rules are in agent/retries.py): back off and retry (the count starting again after
an attempt that moved bytes); give a review copy up after it failed
``agent.derivation_attempts`` times; hold with an alarm and retry slowly; or, for a file
that is no longer what was signed, reject with an alarm."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from pathlib import Path

from agent.completeness import Observation
from agent.config import AgentConfig
from agent.journal import FileRow, Journal
from agent.retries import (
    Outcome,
    abandons,
    backoff_delay,
    failures_before,
    held_delay,
    outcome,
    retry_state,
)
from agent.states import FileState, allowed
from evidence.digest import Fingerprint, fingerprint_file
from evidence.errors import JournalError, LiuhenError, SourceChanged

__all__ = ["Setbacks"]

log = logging.getLogger(__name__)


def _still_as_signed(path: Path, signed: Fingerprint) -> Observation:
    """Read the file again; raise SourceChanged unless it is the file that was signed."""
    stat = path.stat()
    now = fingerprint_file(path)
    if (now.size, now.sha256) != (signed.size, signed.sha256):
        raise SourceChanged(
            f"{path.name} changed on the dock after it was signed: now {now.size} bytes, "
            f"sha256 {now.sha256.hex}; signed {signed.size} bytes, sha256 {signed.sha256.hex}"
        )
    return Observation(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class Setbacks:
    def __init__(self, config: AgentConfig, journal: Journal, clock: Callable[[], float]) -> None:
        self.config = config
        self.journal = journal
        self.clock = clock

    async def failed(self, started: FileRow, exc: LiuhenError) -> FileRow:
        """A step that began at ``started`` failed with ``exc``. The row is read again: the
        step may have moved it on, and heard the server commit bytes."""
        row = await self.journal.get(started.id)
        if abandons(exc, row.attempts + 1, self.config.derivation_attempts):
            return await self._abandon(row, exc)
        match outcome(exc):
            case Outcome.REJECT if allowed(row.state, FileState.REJECTED):
                return await self._reject(row, exc)
            case Outcome.HOLD | Outcome.REJECT:  # a change seen elsewhere: the hold re-checks
                return await self.hold(row, exc)
        return await self.postpone(row, exc, progressed=row.upload_offset > started.upload_offset)

    async def _abandon(self, row: FileRow, exc: LiuhenError) -> FileRow:
        tries = row.attempts + 1
        log.error(
            "%s of %s GIVEN UP after %d attempts: %s (%s); the original stays receipted",
            row.role.value,
            row.evidence_id,
            tries,
            exc.message,
            exc.code,
        )
        return await self.journal.move(
            row,
            FileState.UNMADE,
            self.clock(),
            f"given up after {tries} attempts",
            error_code=exc.code,
            error_message=exc.message[:1000],
            refusals=tries,
        )

    async def _reject(self, row: FileRow, exc: LiuhenError) -> FileRow:
        log.error(
            "EVIDENCE ALTERED ON THE DOCK: %s is not the file that was signed (%s: %s); kept",
            row.path,
            exc.code,
            exc.message,
        )
        return await self.journal.move(
            row,
            FileState.REJECTED,
            self.clock(),
            exc.code,
            error_code=exc.code,
            error_message=exc.message,
        )

    async def hold(self, row: FileRow, exc: LiuhenError) -> FileRow:
        config, now = self.config, self.clock()
        delay = held_delay(
            row.refusals + 1,
            config.held_retry_seconds,
            config.held_retry_cap_seconds,
            random.random(),  # noqa: S311 - jitter, not secrecy
        )
        log.error(
            "%s HELD: %s (%s); kept on the dock, tried again in %.0f s",
            row.path.name,
            exc.message,
            exc.code,
            delay,
        )
        return await self.journal.hold(row, exc.code, exc.message, now, now + delay)

    async def postpone(self, row: FileRow, exc: LiuhenError, progressed: bool = False) -> FileRow:
        """Back off: the longer, the more failures in a row got nowhere."""
        before = failures_before(row.attempts, progressed)
        delay = backoff_delay(
            before,
            self.config.retry_base_seconds,
            self.config.retry_cap_seconds,
            random.random(),  # noqa: S311 - jitter, not secrecy
        )
        log.warning(
            "%s: %s (%s); retry in %.1f s (failure %d in a row%s)",
            row.path.name,
            exc.message,
            exc.code,
            delay,
            before + 1,
            ", after progress" if progressed else "",
        )
        now = self.clock()
        return await self.journal.postpone(row, exc.code, exc.message, now, now + delay, before + 1)

    async def retry_held(self, row: FileRow) -> FileRow:
        """Send a held file again: the same signed manifest, once the file is found to be
        still what was signed, in a new upload (the last one's bytes may be what the
        server refused)."""
        target = retry_state(row.manifest is not None)
        if target is FileState.READY:
            return await self.journal.move(row, target, self.clock(), "trying again")
        if row.fingerprint is None:
            raise JournalError(f"file {row.id} is signed but has no fingerprint")
        seen = await asyncio.to_thread(_still_as_signed, row.path, row.fingerprint)
        return await self.journal.move(
            row,
            target,
            self.clock(),
            "trying again: the file is still what was signed",
            upload_url=None,
            upload_offset=0,
            size=seen.size,
            mtime_ns=seen.mtime_ns,
            inode=seen.inode,
        )
