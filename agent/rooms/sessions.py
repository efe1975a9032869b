"""Interview and hearing rooms: the sessions their controllers publish over MQTT, the
recorder's segments bound to them, and alarms when a session's recording falls short.

A controller's message (evidence/room_session.py) is kept as the session's latest word:
a session opens once and closes once, and a closed one never reopens. A segment found in
the room's folder is bound, when it is signed, to the session whose window holds its
capture start (its sidecar's start, or its mtime), unless its sidecar names a session
itself. Its index is its place among the session's segments by capture start, counted on
the folder as it stands then: a recorder writes segments one after another, so the ones
before it are all there, whatever order the agent signs them in.

Every few seconds each open session, and each closed one once its grace has passed, is
judged against the recorder's writes (agent/rooms/rules.py). MQTT is advisory: without it
no session is known, and segments go up unbound, as footage all the same.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from agent.config import AgentConfig, RoomConfig
from agent.notes import Note, NoteKind, Notes
from agent.rooms.folder import activity, rank
from agent.rooms.rules import final, problem
from agent.station_db import StationDb
from agent.telemetry.outbox import Announce
from evidence.errors import MalformedMessage
from evidence.manifest_media import Session
from evidence.room_session import RoomSession
from runtime.sqlite_thread import transaction

__all__ = ["RoomSessions"]

log = logging.getLogger(__name__)


class RoomSessions:
    def __init__(
        self,
        config: AgentConfig,
        db: StationDb,
        notes: Notes,
        announce: Announce,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._db = db
        self.notes = notes
        self.announce = announce
        self.clock = clock

    def handlers(self) -> dict[str, Callable[[str, bytes], Awaitable[None]]]:
        """One MQTT handler per room this station serves."""
        return {room.id: self._handler(room) for room in self.config.rooms}

    def _handler(self, room: RoomConfig) -> Callable[[str, bytes], Awaitable[None]]:
        async def handle(_topic: str, payload: bytes) -> None:
            if not payload:
                return  # a cleared retained message
            try:
                session = RoomSession.parse(payload)
            except MalformedMessage as exc:
                log.warning("room %s: controller message refused: %s", room.id, exc.message)
                return
            if session.room != room.id:
                log.warning("room %s: a message for room %s ignored", room.id, session.room)
                return
            await self.receive(session)

        return handle

    async def receive(self, session: RoomSession) -> None:
        """Keep the controller's latest word on a session; tell the fleet what changed."""

        def keep(conn: sqlite3.Connection) -> str | None:
            with transaction(conn):
                row = conn.execute(
                    "SELECT state FROM room_sessions WHERE session_id = ?", (session.session_id,)
                ).fetchone()
                if row is not None and (row["state"] == "closed" or session.state == "open"):
                    return None  # nothing new: a closed session never reopens
                conn.execute(
                    "INSERT INTO room_sessions (session_id, room, state, started_at, stopped_at, "
                    "document) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
                    "state = excluded.state, stopped_at = excluded.stopped_at, document = excluded.document",
                    (
                        session.session_id,
                        session.room,
                        session.state,
                        session.started_at.timestamp(),
                        None if session.stopped_at is None else session.stopped_at.timestamp(),
                        session.to_bytes(),
                    ),
                )
                return (
                    "session_opened"
                    if row is None and session.state == "open"
                    else "session_closed"
                )

        told = await self._db.run(keep)
        if told is not None:
            log.info("room %s: session %s %s", session.room, session.session_id, session.state)
            await self.announce.event(told, session.session_id, session.to_document())

    def _room_of(self, path: Path) -> RoomConfig | None:
        for room in self.config.rooms:
            if path.is_relative_to(room.folder):
                return room
        return None

    async def bind(self, path: Path, started_at: datetime) -> Session | None:
        room = self._room_of(path)
        if room is None:
            return None
        at = started_at.timestamp()

        def window(conn: sqlite3.Connection) -> tuple[str, float, float | None, int | None] | None:
            bound = conn.execute(
                "SELECT session_id, idx FROM session_segments WHERE path = ?", (str(path),)
            ).fetchone()
            row = conn.execute(
                "SELECT * FROM room_sessions WHERE room = ? AND started_at <= ? AND "
                "(stopped_at IS NULL OR stopped_at >= ?) ORDER BY started_at DESC LIMIT 1",
                (room.id, at + 1.0, at),
            ).fetchone()
            if bound is not None:
                return bound["session_id"], 0.0, None, bound["idx"]
            return (
                None
                if row is None
                else (row["session_id"], row["started_at"], row["stopped_at"], None)
            )

        found = await self._db.run(window)
        if found is None:
            return None
        session_id, start, stop, index = found
        if index is None:
            index = await asyncio.to_thread(
                rank, room.folder, path, start, stop, self.config.ignore
            )
            index = await self._keep_binding(path, session_id, index)
        return Session(session_id, index)

    async def _keep_binding(self, path: Path, session_id: str, index: int) -> int:
        def keep(conn: sqlite3.Connection) -> int:
            with transaction(conn):
                taken = conn.execute(
                    "SELECT 1 FROM session_segments WHERE session_id = ? AND idx = ?",
                    (session_id, index),
                ).fetchone()
                if taken is not None:  # a segment that arrived out of order: after the rest
                    index_now = conn.execute(
                        "SELECT MAX(idx) + 1 FROM session_segments WHERE session_id = ?",
                        (session_id,),
                    ).fetchone()[0]
                else:
                    index_now = index
                conn.execute(
                    "INSERT INTO session_segments (path, session_id, idx) VALUES (?, ?, ?)",
                    (str(path), session_id, index_now),
                )
                return int(index_now)

        return await self._db.run(keep)

    async def once(self) -> None:
        """Judge the sessions still open, and the closed ones whose grace has passed."""
        now, grace = self.clock(), self.config.room_grace_seconds
        for row in await self._db.run(_unjudged):
            room = next((r for r in self.config.rooms if r.id == row["room"]), None)
            if room is None:
                continue
            if row["state"] == "closed" and not final(row["stopped_at"], now, grace):
                continue  # its last segment may still be landing
            seen = await asyncio.to_thread(
                activity,
                room.folder,
                row["started_at"],
                row["stopped_at"],
                self.config.ignore,
            )
            found = problem(row["started_at"], row["stopped_at"], seen, now, grace)
            if found is not None:
                await self._alarm(row["session_id"], room.id, found.kind, found.message)
            if row["state"] == "closed":
                await self._db.run(functools.partial(_judged, session_id=row["session_id"]))
        await asyncio.sleep(max(0.2, min(grace / 4, 10.0)))

    async def _alarm(self, session_id: str, room: str, kind: str, message: str) -> None:
        note = Note(
            self.clock(), NoteKind.SESSION, f"session {session_id}", True, f"{room}: {message}"
        )
        if await self.notes.put(note):
            log.warning("room %s, session %s: %s", room, session_id, message)
            await self.announce.event(kind, session_id, {"room": room, "message": message})


def _unjudged(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return list(conn.execute("SELECT * FROM room_sessions WHERE judged = 0 ORDER BY started_at"))


def _judged(conn: sqlite3.Connection, session_id: str) -> None:
    with transaction(conn):
        conn.execute("UPDATE room_sessions SET judged = 1 WHERE session_id = ?", (session_id,))
