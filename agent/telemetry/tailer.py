"""File events for the fleet, read from the journal's own record of state changes: a file
discovered, uploaded, finalized (receipted), or in error (held, rejected, vanished). The
journal is not touched: its events table is read in order from a cursor kept in the
station book, moved in the same transaction that queues each event, so each change is
told once. History from before MQTT was turned on is not told.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from agent.journal import Journal
from agent.telemetry.outbox import Outbox

__all__ = ["JournalTail"]

CURSOR = "journal_events"
_TYPES = {
    "discovered": "discovered",
    "uploaded": "uploaded",
    "receipted": "finalized",
    "held": "error",
    "rejected": "error",
    "vanished": "error",
}


def _detail(row: sqlite3.Row) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "evidence_id": row["evidence_id"],
        "role": row["role"],
        "state": row["to_state"],
        "size": row["size"],
    }
    if _TYPES[row["to_state"]] == "error":
        # A file that left the dock carries no server error: its code is its state and its
        # message what the agent saw (the event's note).
        code = row["error_code"] or row["to_state"]
        detail.update(code=code, message=row["error_message"] or row["note"])
    return detail


class JournalTail:
    def __init__(self, journal: Journal, outbox: Outbox, poll_seconds: float = 1.0) -> None:
        self.journal = journal
        self.outbox = outbox
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
            await self.outbox.event(kind, row["path"], _detail(row), cursor=(CURSOR, row["id"]))
        if len(rows) < 200:
            await asyncio.sleep(self.poll_seconds)
