"""Notes for the operator beyond a file's state: one per (kind, subject), the latest kept.

    sidecar        a file's sidecar could not be used (file and field named); the footage
                   went on with the agent's defaults                         note
    camera_digest  the camera's digest of a file disagrees with the agent's  alarm
    clock          a camera's clock as measured at its last docking          alarm past
                   ``agent.clock_drift_alarm_seconds``, else a note
    staging        footage left on a docked camera (disk pressure)           alarm
    session        a room session without footage, or whose recording
                   stopped while it was open                                 alarm

``liuhen agent status`` shows alarms first and each file's notes beside it; each new or
changed note is also an MQTT event (docs/mqtt.md).
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass

from agent.station_db import StationDb
from runtime.sqlite_thread import transaction

__all__ = ["Note", "NoteKind", "Notes"]


class NoteKind(enum.StrEnum):
    SIDECAR = "sidecar"
    CAMERA_DIGEST = "camera_digest"
    CLOCK = "clock"
    STAGING = "staging"
    SESSION = "session"


@dataclass(frozen=True, slots=True)
class Note:
    at: float
    kind: NoteKind
    subject: str
    alarm: bool
    message: str


class Notes:
    def __init__(self, db: StationDb) -> None:
        self._db = db

    async def put(self, note: Note) -> bool:
        """Keep ``note`` as the latest of its kind and subject; True when it is new or
        says something else than before (what is worth telling again)."""

        def put(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                old = conn.execute(
                    "SELECT alarm, message FROM notes WHERE kind = ? AND subject = ?",
                    (note.kind.value, note.subject),
                ).fetchone()
                conn.execute(
                    "INSERT INTO notes (at, kind, subject, alarm, message) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (kind, subject) DO UPDATE SET at = excluded.at, "
                    "alarm = excluded.alarm, message = excluded.message",
                    (note.at, note.kind.value, note.subject, int(note.alarm), note.message),
                )
                return old is None or (bool(old["alarm"]), old["message"]) != (
                    note.alarm,
                    note.message,
                )

        return await self._db.run(put)

    async def all(self) -> list[Note]:
        def every(conn: sqlite3.Connection) -> list[Note]:
            rows = conn.execute("SELECT * FROM notes ORDER BY alarm DESC, at, id")
            return [
                Note(
                    row["at"],
                    NoteKind(row["kind"]),
                    row["subject"],
                    bool(row["alarm"]),
                    row["message"],
                )
                for row in rows
            ]

        return await self._db.run(every)
