"""The agent process: named loops in one TaskGroup.

    watch   — watchdog sightings → journal observations
    rescan  — every ``rescan_seconds``: every file in the folders, and files gone missing
    settle  — discovered files that stopped changing become ready
    work    — ready and unfinished files go through the pipeline, ``max_parallel`` at once
    server  — every ``rescan_seconds``: the server's software and key; held files are
              tried again at once when either changes

On start every unfinished journal row simply carries on from its state, and held files
are tried again at once: whatever the server refused may pass now.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from agent.completeness import Observation, is_complete, is_growing_too_long, ready_to_take
from agent.config import AgentConfig
from agent.journal import FileRow, Journal
from agent.media.probe import opens_as_media
from agent.pipeline import Pipeline, observe_file
from agent.server_api import ServerIdentity
from agent.states import ACTIVE, NEEDS_FILE, FileState
from agent.watcher import Watcher, walk
from evidence.errors import LiuhenError
from evidence.identifiers import Role

__all__ = ["AgentService"]

log = logging.getLogger(__name__)


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Wait for ``event`` at most ``seconds``; True if it was set. asyncio.timeout, unlike
    wait_for on 3.11, never turns a cancellation into a timeout, so loops stop when told."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


class AgentService:
    def __init__(
        self,
        config: AgentConfig,
        journal: Journal,
        pipeline: Pipeline,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.journal = journal
        self.pipeline = pipeline
        self.clock = clock
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task[FileRow]] = {}
        self._rescanned = asyncio.Event()
        self._opens_cache: dict[int, tuple[Observation, bool]] = {}
        self._growing_alarms: dict[int, float] = {}
        self._server: ServerIdentity | None = None

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def run(self, *, once: bool = False) -> None:
        """Run until ``stop()``; with ``once``, until every file found is finished."""
        await self._retry_held("the agent started")
        watcher = Watcher(self.config.watch, self.config.ignore)
        watcher.start()
        try:
            async with asyncio.TaskGroup() as group:
                loops = [
                    group.create_task(self._watch_loop(watcher), name="watch"),
                    group.create_task(self._rescan_loop(watcher), name="rescan"),
                    group.create_task(self._settle_loop(), name="settle"),
                    group.create_task(self._work_loop(once), name="work"),
                    group.create_task(self._server_loop(), name="server"),
                ]
                await self._stop.wait()
                for loop in loops:
                    loop.cancel()
        finally:
            watcher.stop()
            for task in self._running.values():
                task.cancel()
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _observe(self, path: Path, closed: bool) -> FileRow | None:
        """Record the file's look now; its active row, or None if the file is gone."""
        try:
            seen = observe_file(path)
        except FileNotFoundError:
            return None
        return await self.journal.observe(path, seen, closed, self.clock())

    async def _forever(self, name: str, once: Callable[[], Awaitable[None]]) -> None:
        """Run one loop's body until stopped. A failure in one round (a busy disk, a bug)
        is logged and the round tried again: no loop may take the agent down."""
        while not self._stop.is_set():
            try:
                await once()
            except Exception:
                log.exception("the %s loop failed; trying again", name)
                await _wait(self._stop, 1.0)

    async def _watch_loop(self, watcher: Watcher) -> None:
        async def once() -> None:
            sighting = await watcher.sightings.get()
            await self._observe(sighting.path, sighting.closed)

        await self._forever("watch", once)

    async def _rescan_loop(self, watcher: Watcher) -> None:
        async def once() -> None:
            for path in await asyncio.to_thread(
                lambda: list(walk(self.config.watch, self.config.ignore))
            ):
                await self._observe(path, closed=False)
            await self._notice_missing()
            self._rescanned.set()
            self._wake.set()
            watcher.overflowed.clear()
            if await _wait(watcher.overflowed, self.config.rescan_seconds):
                log.warning("watch events overflowed; rescanning now")

        await self._forever("rescan", once)

    async def _notice_missing(self) -> None:
        for row in await self.journal.in_state(FileState.DISCOVERED, *NEEDS_FILE):
            if row.role is not Role.ORIGINAL or row.id in self._running or row.path.exists():
                continue  # a copy's file is made later, in the agent's own folder
            if row.state is FileState.DISCOVERED:
                await self.journal.forget(row.id)  # never complete, never attested: a temp file
                self._done_settling(row.id)
            else:
                await self.pipeline.advance(row)  # the pipeline records it as vanished

    async def _settle_loop(self) -> None:
        interval = max(0.05, min(self.config.settle_seconds / 2, 1.0))

        async def once() -> None:
            for row in await self.journal.in_state(FileState.DISCOVERED):
                await self._settle(row, self.clock())
            await _wait(self._stop, interval)

        await self._forever("settle", once)

    async def _settle(self, row: FileRow, now: float) -> None:
        current = await self._observe(row.path, closed=False)
        if current is None:
            return  # gone for now; the rescan forgets it if it stays gone
        if current.id != row.id or current.state is not FileState.DISCOVERED:
            self._done_settling(row.id)
            return
        config = self.config
        if not is_complete(
            current.unchanged_since,
            now,
            current.closed,
            config.settle_seconds,
            config.quiet_seconds,
        ):
            self._alarm_if_growing(current, now)
            return
        if not ready_to_take(
            now - current.unchanged_since, await self._opens(current), config.broken_grace_seconds
        ):
            return
        await self.journal.move(current, FileState.READY, now, "stable")
        self._done_settling(current.id)
        self._wake.set()

    def _done_settling(self, file_id: int) -> None:
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

    async def _retry_held(self, why: str) -> None:
        retried = await self.journal.retry_held(self.clock(), f"tried again: {why}")
        if retried:
            log.warning("%s: trying %d held file(s) again now", why, len(retried))
            self._wake.set()

    async def _server_loop(self) -> None:
        async def once() -> None:
            try:
                seen = await self.pipeline.api.identity()
            except LiuhenError:
                seen = None  # not reachable now: the work loop finds that out for itself
            if seen is not None and seen != self._server:
                if self._server is not None:
                    self.pipeline.tus.server_changed()
                    await self._retry_held(
                        f"the server changed ({self._server.software} → {seen.software}, "
                        f"key {self._server.server_key_id} → {seen.server_key_id})"
                    )
                self._server = seen
            await _wait(self._stop, self.config.rescan_seconds)

        await self._forever("server", once)

    async def _work_loop(self, until_finished: bool) -> None:
        async def once() -> None:
            self._wake.clear()
            free = self.config.max_parallel - len(self._running)
            if free > 0:
                for row in await self.journal.due(self.clock(), set(self._running), free):
                    self._start(row)
            if until_finished and self._rescanned.is_set() and await self._all_finished():
                self.stop()
                return
            await _wait(self._wake, 0.5)

        await self._forever("work", once)

    def _start(self, row: FileRow) -> None:
        task = asyncio.create_task(self.pipeline.advance(row), name=f"file-{row.id}")
        self._running[row.id] = task

        def done(finished: asyncio.Task[FileRow]) -> None:
            self._running.pop(row.id, None)
            self._wake.set()
            if not finished.cancelled() and finished.exception() is not None:
                log.error("pipeline for file %d crashed: %r", row.id, finished.exception())

        task.add_done_callback(done)

    async def _all_finished(self) -> bool:
        """Nothing running, nothing to do, and every held file tried in this run."""
        if self._running:
            return False
        now = self.clock()
        return all(
            row.state is FileState.HELD and row.next_attempt_at > now
            for row in await self.journal.in_state(FileState.DISCOVERED, *ACTIVE)
        )
