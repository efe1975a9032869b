"""The agent process: named loops in one TaskGroup.

    watch   — watchdog sightings → journal observations
    rescan  — every ``rescan_seconds``: every file in the folders, and files gone missing
    settle  — discovered files that stopped changing become ready (urgent ones marked)
    work    — due files go through the pipeline, ``max_parallel`` at once, in the order of
              agent/priority.py; no review copy is started under disk pressure
              (agent/file_work.py)
    server  — every ``rescan_seconds``: the server's software and key; held files are
              tried again at once when either changes
    disk    — every few seconds: free space on the data directory's and the bays' file
              systems (agent/disk.py)
    policy  — every second: a bandwidth set from the command line (agent/policy.py)
    purge   — every ``rescan_seconds``, when ``agent.purge_after_days`` is set: receipted
              footage due for removal (agent/purge.py)

and the station's own loops, given by the runner (agent/station.py): bays, rooms, MQTT.
``pause()`` starts no new pipeline work until ``resume()`` (staging off cameras goes on);
``rescan_now()`` rescans at once.

On start every unfinished journal row simply carries on from its state, and held files
are tried again at once: whatever the server refused may pass now. A round that fails is
one log line naming its loop, repeats counted (agent/loops.py). ``stop()`` (SIGTERM)
ends every loop, abandons requests and transcodes in flight (each step commits only
after its side effect, so the journal stays consistent) and returns.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import AgentConfig
from agent.disk import DiskWatch, Space
from agent.file_work import FileWork
from agent.journal import FileRow, Journal
from agent.loops import FailureLog, forever
from agent.loops import wait_for as _wait
from agent.pipeline import Pipeline
from agent.policy import UploadPolicy
from agent.purge import Purger
from agent.server_api import ServerIdentity
from agent.settling import Settler
from agent.states import ACTIVE, NEEDS_FILE, FileState
from agent.watcher import Watcher, walk
from evidence.errors import LiuhenError
from evidence.identifiers import Role

if TYPE_CHECKING:
    from agent.station import Station

__all__ = ["AgentService"]

log = logging.getLogger(__name__)

_DISK_CHECK_SECONDS = 5.0
_POLICY_CHECK_SECONDS = 1.0


class AgentService:
    def __init__(
        self,
        config: AgentConfig,
        journal: Journal,
        pipeline: Pipeline,
        policy: UploadPolicy,
        purger: Purger,
        clock: Callable[[], float] = time.time,
        loops: Sequence[tuple[str, Callable[[], Awaitable[None]]]] = (),
    ) -> None:
        self.config = config
        self.loops = list(loops)  # (name, one round): run until stopped, beside its own
        self.paused = False
        self._rescan_asked = False
        self._watcher: Watcher | None = None
        self.station: Station | None = None  # set by the runner (agent/runner.py)
        self.journal = journal
        self.pipeline = pipeline
        self.policy = policy
        self.purger = purger
        self.clock = clock
        self.disk = DiskWatch(
            (config.data_dir, *config.watch), config.min_free_bytes, config.min_free_percent
        )
        self.failures = FailureLog()
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self.work = FileWork(config, journal, pipeline, self.disk, self.failures, clock, self._wake)
        self._rescanned = asyncio.Event()
        self.last_rescan_started = 0.0  # monotonic: when the last whole rescan began
        # With ``once``: each says whether its source has nothing more to bring, given
        # when the last whole rescan began (a docked camera's copies, say).
        self.settled: list[Callable[[float], bool]] = []
        # Told once each time the disk runs low (the fleet's ``disk_low`` event).
        self.disk_low: list[Callable[[Sequence[Space]], Awaitable[None]]] = []
        self._disk_low_told = False
        self.settler = Settler(config, journal, clock)
        self._server: ServerIdentity | None = None

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False
        self._wake.set()

    def rescan_now(self) -> None:
        self._rescan_asked = True
        if self._watcher is not None:
            self._watcher.overflowed.set()

    async def run(self, *, once: bool = False) -> None:
        """Run until ``stop()``; with ``once``, until every file found is finished."""
        await self._retry_held("the agent started")
        await self.policy.refresh()
        self.disk.check()
        watcher = self._watcher = Watcher(self.config.watched, self.config.ignore)
        watcher.start()
        try:
            async with asyncio.TaskGroup() as group:
                loops = [
                    group.create_task(self._watch_loop(watcher), name="watch"),
                    group.create_task(self._rescan_loop(watcher), name="rescan"),
                    group.create_task(self._settle_loop(), name="settle"),
                    group.create_task(self._work_loop(once), name="work"),
                    group.create_task(self._server_loop(), name="server"),
                    group.create_task(self._disk_loop(), name="disk"),
                    group.create_task(self._policy_loop(), name="policy"),
                    group.create_task(self._purge_loop(), name="purge"),
                    *(
                        group.create_task(self._forever(name, once), name=name)
                        for name, once in self.loops
                    ),
                ]
                await self._stop.wait()
                for loop in loops:
                    loop.cancel()
        finally:
            watcher.stop()
            await self.work.abandon()

    async def _observe(self, path: Path, closed: bool) -> FileRow | None:
        return await self.settler.observe(path, closed)

    async def _forever(self, name: str, once: Callable[[], Awaitable[None]]) -> None:
        await forever(name, once, self._stop, self.failures)

    async def _watch_loop(self, watcher: Watcher) -> None:
        async def once() -> None:
            sighting = await watcher.sightings.get()
            await self._observe(sighting.path, sighting.closed)

        await self._forever("watch", once)

    async def _rescan_loop(self, watcher: Watcher) -> None:
        async def once() -> None:
            started = time.monotonic()
            for path in await asyncio.to_thread(
                lambda: list(walk(self.config.watched, self.config.ignore))
            ):
                await self._observe(path, closed=False)
            await self._notice_missing()
            self.last_rescan_started = started
            self._rescanned.set()
            self._wake.set()
            watcher.overflowed.clear()
            if await _wait(watcher.overflowed, self.config.rescan_seconds):
                asked, self._rescan_asked = self._rescan_asked, False
                if not asked:
                    log.warning("watch events overflowed; rescanning now")

        await self._forever("rescan", once)

    async def _notice_missing(self) -> None:
        for row in await self.journal.in_state(FileState.DISCOVERED, *NEEDS_FILE):
            if row.role is not Role.ORIGINAL or row.id in self.work.running or row.path.exists():
                continue  # a copy's file is made later, in the agent's own folder
            if row.state is FileState.DISCOVERED:
                await self.journal.forget(row.id)  # never complete, never attested: a temp file
                self.settler.done(row.id)
            else:
                await self.pipeline.advance(row)  # the pipeline records it as vanished

    async def _settle_loop(self) -> None:
        interval = max(0.05, min(self.config.settle_seconds / 2, 1.0))

        async def once() -> None:
            for row in await self.journal.in_state(FileState.DISCOVERED):
                if await self.settler.settle(row, self.clock()):
                    self._wake.set()
            await _wait(self._stop, interval)

        await self._forever("settle", once)

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

    async def _disk_loop(self) -> None:
        interval = min(_DISK_CHECK_SECONDS, self.config.rescan_seconds)

        async def once() -> None:
            if not await asyncio.to_thread(self.disk.check):
                self._wake.set()  # copies held back may start now
            await self._tell_disk_low()
            await _wait(self._stop, interval)

        await self._forever("disk", once)

    async def _tell_disk_low(self) -> None:
        """Once when the disk turns low (at start too), again only after it had room."""
        if self.disk.pressure and not self._disk_low_told:
            for tell in self.disk_low:
                await tell(self.disk.low)
        self._disk_low_told = self.disk.pressure

    async def _policy_loop(self) -> None:
        async def once() -> None:
            await self.policy.refresh()
            await _wait(self._stop, _POLICY_CHECK_SECONDS)

        await self._forever("policy", once)

    async def _purge_loop(self) -> None:
        async def once() -> None:
            if self.config.purge_after_days is not None:
                try:
                    await self.purger.run_once()
                except LiuhenError as exc:  # the server cannot confirm: ask next round
                    self.failures.failed("purging", exc, "nothing is purged for now")
                else:
                    self.failures.recovered("purging")
            await _wait(self._stop, self.config.rescan_seconds)

        await self._forever("purge", once)

    async def _work_loop(self, until_finished: bool) -> None:
        async def once() -> None:
            self._wake.clear()
            if not self.paused:
                await self.work.start_due()
            if until_finished and self._rescanned.is_set() and await self._all_finished():
                self.stop()
                return
            await _wait(self._wake, 0.5)

        await self._forever("work", once)

    async def _all_finished(self) -> bool:
        """Nothing running, nothing to do, and every held file tried in this run."""
        if self.work.running or not all(ok(self.last_rescan_started) for ok in self.settled):
            return False
        now = self.clock()
        return all(
            row.state is FileState.HELD and row.next_attempt_at > now
            for row in await self.journal.in_state(FileState.DISCOVERED, *ACTIVE)
        )
