"""File events for the fleet, read from the journal's own record of state changes: a file
discovered, uploaded, finalized (receipted), or in error (held, rejected, vanished). The
journal is not touched: its events table is read in order from a cursor kept in the
station book, moved in the same transaction that queues each event, so each change is
told once. History from before MQTT was turned on is not told.

The sizes of files uploaded in the last ``UploadRate.WINDOW`` seconds give the upload rate
the state message reports.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from agent.journal import Journal
from agent.telemetry.outbox import Outbox

__all__ = ["JournalTail", "UploadRate"]

CURSOR = "journal_events"
_TYPES = {
    "discovered": "discovered",
    "uploaded": "uploaded",
    "receipted": "finalized",
    "held": "error",
    "rejected": "error",
    "vanished": "error",
}


class UploadRate:
    WINDOW = 300.0

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._seen: collections.deque[tuple[float, int]] = collections.deque()

    def add(self, at: float, size: int) -> None:
        self._seen.append((at, size))

    def bytes_per_second(self) -> int | None:
        """None until something was uploaded since the agent started."""
        horizon = self._clock() - self.WINDOW
        while self._seen and self._seen[0][0] < horizon:
            self._seen.popleft()
        if not self._seen:
            return None
        return round(sum(size for _, size in self._seen) / self.WINDOW)


def _detail(row: sqlite3.Row) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "evidence_id": row["evidence_id"],
        "role": row["role"],
        "state": row["to_state"],
        "size": row["size"],
    }
    if _TYPES[row["to_state"]] == "error":
        detail.update(code=row["error_code"], message=row["error_message"])
    return detail


class JournalTail:
    def __init__(
        self, journal: Journal, outbox: Outbox, rate: UploadRate, poll_seconds: float = 1.0
    ) -> None:
        self.journal = journal
        self.outbox = outbox
        self.rate = rate
        self.poll_seconds = poll_seconds

    async def start(self) -> None:
        """Before the agent runs: the first time, history is left untold."""
        if await self.outbox.cursor(CURSOR) is None:
            await self.outbox.move_cursor(CURSOR, await self.journal.last_event_id())

    async def once(self) -> None:
        """Tell what changed since last time, then wait a little."""
        after = await self.outbox.cursor(CURSOR)
        if after is None:
            await self.start()
            return
        rows = await self.journal.events_after(after, 200)
        for row in rows:
            kind = _TYPES.get(row["to_state"])
            repeated = row["from_state"] == row["to_state"]  # a note on a held file, say
            if kind is None or repeated or (kind == "discovered" and row["from_state"]):
                await self.outbox.move_cursor(CURSOR, row["id"])
                continue
            if kind == "uploaded":
                self.rate.add(row["at"], row["size"])
            await self.outbox.event(kind, row["path"], _detail(row), cursor=(CURSOR, row["id"]))
        if len(rows) < 200:
            await asyncio.sleep(self.poll_seconds)
