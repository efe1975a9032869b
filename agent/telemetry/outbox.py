"""The MQTT outbox: every event and command result is written here first, and sent from
here, in order, once the broker is there; a message leaves the outbox only when the broker
has acknowledged it (QoS 1). So events outlive a broker outage or an agent restart and are
replayed once when the broker is back; a crash between the acknowledgement and its
record sends one message twice, which consumers drop by ``event_id``.

Each start of the agent is a boot with a fresh id, numbering its events from 1. When the
outbox holds more than ``agent.mqtt.outbox_max_events`` unsent messages, the oldest are
dropped (and logged): consumers see the gap in the sequence. Sent messages are kept a while
for inspection, then pruned.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from agent.station_db import StationDb
from evidence.mqtt_wire import EVENTS
from evidence.telemetry import StationEvent
from runtime.sqlite_thread import transaction

__all__ = ["Announce", "Outbox", "Pending", "Silent"]

log = logging.getLogger(__name__)
KEEP_SENT = 1000


class Announce(Protocol):
    """What the rest of the agent calls to tell the fleet something."""

    async def event(
        self, kind: str, subject: str | None = None, detail: dict[str, Any] | None = None
    ) -> None: ...


class Silent:
    """MQTT is off: nothing is kept to be told."""

    async def event(
        self, kind: str, subject: str | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Pending:
    row_id: int
    leaf: str
    payload: bytes


class Outbox:
    def __init__(
        self,
        db: StationDb,
        device_id: str,
        *,
        max_unsent: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self.device_id = device_id
        self.boot = uuid.uuid4().hex
        self._max_unsent = max_unsent
        self._clock = clock
        self.added = asyncio.Event()  # set whenever something is waiting to be sent

    async def start_boot(self) -> None:
        def start(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "INSERT INTO boots (id, started_at) VALUES (?, ?)", (self.boot, self._clock())
                )

        await self._db.run(start)
        self.added.set()  # what an earlier boot left unsent goes first

    async def event(
        self,
        kind: str,
        subject: str | None = None,
        detail: dict[str, Any] | None = None,
        *,
        cursor: tuple[str, int] | None = None,
    ) -> None:
        """Queue an event; ``cursor`` (name, position) is moved in the same transaction,
        so what an event was made from is told once, even across a crash."""
        now = self._clock()

        def add(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                if cursor is not None:
                    _move(conn, *cursor)
                conn.execute("UPDATE boots SET last_seq = last_seq + 1 WHERE id = ?", (self.boot,))
                seq = conn.execute(
                    "SELECT last_seq FROM boots WHERE id = ?", (self.boot,)
                ).fetchone()[0]
                event = StationEvent(
                    uuid.uuid4().hex,
                    self.device_id,
                    self.boot,
                    seq,
                    kind,
                    datetime.fromtimestamp(now, UTC),
                    subject,
                    detail or {},
                )
                _insert(conn, EVENTS, event.to_bytes(), now)
                self._drop_oldest(conn)

        await self._db.run(add)
        self.added.set()

    async def cursor(self, name: str) -> int | None:
        def read(conn: sqlite3.Connection) -> int | None:
            row = conn.execute("SELECT position FROM cursors WHERE name = ?", (name,)).fetchone()
            return None if row is None else int(row[0])

        return await self._db.run(read)

    async def move_cursor(self, name: str, position: int) -> None:
        def move(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _move(conn, name, position)

        await self._db.run(move)

    async def put(self, leaf: str, payload: bytes) -> None:
        """Any other message that must outlive an outage (a command's result)."""

        def add(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _insert(conn, leaf, payload, self._clock())

        await self._db.run(add)
        self.added.set()

    def _drop_oldest(self, conn: sqlite3.Connection) -> None:
        unsent = conn.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
        if unsent > self._max_unsent:
            conn.execute(
                "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL "
                "ORDER BY id LIMIT ?)",
                (unsent - self._max_unsent,),
            )
            log.warning("the MQTT outbox is full: dropped %d unsent", unsent - self._max_unsent)

    async def pending(self, limit: int = 100) -> list[Pending]:
        def pending(conn: sqlite3.Connection) -> list[Pending]:
            rows = conn.execute(
                "SELECT id, leaf, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?",
                (limit,),
            )
            return [Pending(row["id"], row["leaf"], bytes(row["payload"])) for row in rows]

        return await self._db.run(pending)

    async def sent(self, row_id: int) -> None:
        now = self._clock()

        def sent(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute("UPDATE outbox SET sent_at = ? WHERE id = ?", (now, row_id))
                conn.execute(
                    "DELETE FROM outbox WHERE sent_at IS NOT NULL AND id < "
                    "(SELECT MIN(id) FROM (SELECT id FROM outbox WHERE sent_at IS NOT NULL "
                    "ORDER BY id DESC LIMIT ?))",
                    (KEEP_SENT,),
                )

        await self._db.run(sent)


def _move(conn: sqlite3.Connection, name: str, position: int) -> None:
    conn.execute(
        "INSERT INTO cursors (name, position) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
        (name, position),
    )


def _insert(conn: sqlite3.Connection, leaf: str, payload: bytes, now: float) -> None:
    conn.execute(
        "INSERT INTO outbox (leaf, payload, created_at) VALUES (?, ?, ?)", (leaf, payload, now)
    )
