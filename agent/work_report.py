"""Tell the operator how long work is going: the journal at most once a second (``liuhen
agent status`` reads it), the log once every ``log_every`` seconds, one line each time."""

from __future__ import annotations

import logging
from collections.abc import Callable

from agent.file_row import FileRow
from agent.journal import Journal
from agent.progress import Meter, describe

__all__ = ["WorkReport"]

log = logging.getLogger(__name__)

_JOURNAL_EVERY = 1.0


class WorkReport:
    def __init__(
        self,
        journal: Journal,
        row: FileRow,
        meter: Meter,
        clock: Callable[[], float],
        log_every: float = 30.0,
    ) -> None:
        self.journal = journal
        self.row = row
        self.meter = meter
        self.clock = clock
        self.log_every = log_every
        self._journaled = float("-inf")
        self._logged = clock()  # the first line once the work has gone on a while

    async def update(self, done: float, upload_offset: int | None = None) -> None:
        """Record ``done`` now. An upload's committed offset always reaches the journal
        (backoff and resuming read it); the rest only as often as is worth it."""
        now = self.clock()
        progress = self.meter.reading(done, now)
        if upload_offset is None and now - self._journaled < _JOURNAL_EVERY:
            return
        self._journaled = now
        await self.journal.record_progress(self.row, progress, upload_offset)
        if now - self._logged >= self.log_every:
            self._logged = now
            log.info("%s: %s", self.row.path.name, describe(progress))
