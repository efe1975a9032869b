"""The files in flight through the pipeline: at most ``max_parallel`` at once, in the
order of agent/priority.py, no review copy started under disk pressure, and a file whose
pipeline crashed kept out for a while (the service's ``work`` loop drives it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from agent.config import AgentConfig
from agent.disk import DiskWatch
from agent.journal import FileRow, Journal
from agent.loops import FailureLog
from agent.pipeline import Pipeline

__all__ = ["FileWork"]

log = logging.getLogger("agent.service")  # the service's own line, as agent/loops.py logs


class FileWork:
    def __init__(
        self,
        config: AgentConfig,
        journal: Journal,
        pipeline: Pipeline,
        disk: DiskWatch,
        failures: FailureLog,
        clock: Callable[[], float],
        wake: asyncio.Event,
    ) -> None:
        self.config = config
        self.journal = journal
        self.pipeline = pipeline
        self.disk = disk
        self.failures = failures
        self.clock = clock
        self._wake = wake  # set whenever a file finishes: a slot is free
        self.running: dict[int, asyncio.Task[FileRow]] = {}
        self._cooling: dict[int, tuple[float, float]] = {}  # crashed file: (until, last wait)

    async def start_due(self) -> None:
        """Start as many due files as there are free slots."""
        free = self.config.max_parallel - len(self.running)
        if free > 0:
            now = self.clock()
            busy = set(self.running) | self._cooling_now(now)
            make_copies = not self.disk.pressure
            for row in await self.journal.due(now, busy, free, make_copies=make_copies):
                self._start(row)

    async def abandon(self) -> None:
        """Cancel the files in flight: a request, a hash or a transcode is abandoned where
        it is; what each committed stays, and the next start carries on from there."""
        if self.running:
            log.info("stopping: abandoning work on %d file(s)", len(self.running))
        for task in self.running.values():
            task.cancel()
        await asyncio.gather(*self.running.values(), return_exceptions=True)

    def _start(self, row: FileRow) -> None:
        task = asyncio.create_task(self.pipeline.advance(row), name=f"file-{row.id}")
        self.running[row.id] = task

        def done(finished: asyncio.Task[FileRow]) -> None:
            self.running.pop(row.id, None)
            self._wake.set()
            if finished.cancelled():
                return
            error = finished.exception()
            if error is None:
                self._cooling.pop(row.id, None)
                self.failures.recovered(f"the pipeline for file {row.id}")
            else:
                self._cool(row.id)
                self.failures.failed(f"the pipeline for file {row.id}", error, "it waits a while")

        task.add_done_callback(done)

    def _cool(self, file_id: int) -> None:
        """A pipeline that crashed (its journal failing, say) could not record a backoff:
        keep its file out of the work loop for a while, doubling, so it does not spin."""
        last = self._cooling.get(file_id, (0.0, 0.0))[1]
        wait = min(self.config.retry_cap_seconds, max(1.0, last * 2))
        self._cooling[file_id] = (self.clock() + wait, wait)

    def _cooling_now(self, now: float) -> set[int]:
        return {file_id for file_id, (until, _) in self._cooling.items() if until > now}
