"""Settling: when a discovered file is complete, it becomes ready (agent/completeness.py
says when). Remembers, for discovered files only, whether each opens as media and when it
was last reported as still growing; marks urgent footage as it becomes ready
(agent/priority.py). A file renamed while on its way keeps its row
(agent/journal_identity.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from agent.completeness import Observation, is_complete, is_growing_too_long, ready_to_take
from agent.config import AgentConfig
from agent.dock_file import observe_file, sidecar_of
from agent.journal import FileRow, Journal
from agent.media.probe import opens_as_media
from agent.priority import urgency
from agent.renames import was_renamed
from agent.states import FileState

__all__ = ["Settler"]

log = logging.getLogger("agent.service")


class Settler:
    def __init__(self, config: AgentConfig, journal: Journal, clock: Callable[[], float]) -> None:
        self.config = config
        self.journal = journal
        self.clock = clock
        self._opens_cache: dict[int, tuple[Observation, bool]] = {}
        self._growing_alarms: dict[int, float] = {}

    async def observe(self, path: Path, closed: bool) -> FileRow | None:
        """Record the file's look now; its active row, or None if the file is gone. A file
        on its way under another name that was renamed to ``path`` keeps its row."""
        try:
            seen = observe_file(path)
        except FileNotFoundError:
            return None
        moved = await self.journal.rename_candidate(path, seen)
        renamed = moved is not None and await asyncio.to_thread(was_renamed, moved.path, path, seen)
        if moved is not None and renamed and await self.journal.rename(moved, path, self.clock()):
            log.info("%s was renamed %s; it goes on under its new name", moved.path, path.name)
        return await self.journal.observe(path, seen, closed, self.clock())

    async def settle(self, row: FileRow, now: float) -> bool:
        """Move ``row`` to ready if it is complete now; True if it moved."""
        current = await self.observe(row.path, closed=False)
        if current is None:
            return False  # gone for now; the rescan forgets it if it stays gone
        if current.id != row.id or current.state is not FileState.DISCOVERED:
            self.done(row.id)
            return False
        config = self.config
        if not is_complete(
            current.unchanged_since,
            now,
            current.closed,
            config.settle_seconds,
            config.quiet_seconds,
        ):
            self._alarm_if_growing(current, now)
            return False
        if not ready_to_take(
            now - current.unchanged_since, await self._opens(current), config.broken_grace_seconds
        ):
            return False
        urgent = urgency(sidecar_of(current.path)) is not None
        await self.journal.move(current, FileState.READY, now, "stable", urgent=int(urgent))
        self.done(current.id)
        return True

    def done(self, file_id: int) -> None:
        """Drop what settling remembered of a file, so the caches hold discovered files only."""
        self._opens_cache.pop(file_id, None)
        self._growing_alarms.pop(file_id, None)

    async def _opens(self, row: FileRow) -> bool:
        known = self._opens_cache.get(row.id)
        if known is None or known[0] != row.observation:
            known = (row.observation, await asyncio.to_thread(opens_as_media, row.path))
            self._opens_cache[row.id] = known
            if not known[1]:
                log.warning(
                    "%s is stable but does not open as media; taking it as it is in %.0f s",
                    row.path.name,
                    self.config.broken_grace_seconds,
                )
        return known[1]

    def _alarm_if_growing(self, row: FileRow, now: float) -> None:
        last = self._growing_alarms.get(row.id, row.first_seen_at)
        if is_growing_too_long(last, now, self.config.growing_alarm_seconds):
            self._growing_alarms[row.id] = now
            log.warning(
                "%s is still being written %.0f min after it appeared; still waiting for it",
                row.path,
                (now - row.first_seen_at) / 60,
            )
