"""The station book's dock pages: each docking and its clock, each file copied off a camera,
and what the pipeline asks of a staged file when it signs (its bay, its camera's clock,
the MD5 of its bytes)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.station_db import StationDb
from evidence.manifest_dock import CameraClock
from runtime.sqlite_thread import transaction

__all__ = ["DockBook", "Docking", "StagedFile"]


@dataclass(frozen=True, slots=True)
class Docking:
    docking_id: int
    bay: str
    camera: str
    docked_at: float
    clock: CameraClock | None


@dataclass(frozen=True, slots=True)
class StagedFile:
    """A file copied (or being copied) off a camera."""

    staged_id: int
    docking: Docking
    source: str
    target: Path
    state: str  # copying | staged
    md5: str | None


def _clock(row: sqlite3.Row) -> CameraClock | None:
    if row["offset_ms"] is None:
        return None
    return CameraClock(
        row["offset_ms"], datetime.fromtimestamp(row["measured_at"], UTC), row["method"]
    )


def _docking(row: sqlite3.Row) -> Docking:
    return Docking(row["id"], row["bay"], row["camera"], row["docked_at"], _clock(row))


_STAGED = (
    "SELECT s.id AS sid, s.source, s.target, s.state, s.md5, d.* FROM staged s "
    "JOIN dockings d ON d.id = s.docking_id "
)


def _staged(row: sqlite3.Row) -> StagedFile:
    return StagedFile(
        row["sid"], _docking(row), row["source"], Path(row["target"]), row["state"], row["md5"]
    )


class DockBook:
    def __init__(self, db: StationDb) -> None:
        self._db = db

    async def open_dockings(self) -> dict[str, Docking]:
        def found(conn: sqlite3.Connection) -> dict[str, Docking]:
            rows = conn.execute("SELECT * FROM dockings WHERE undocked_at IS NULL")
            return {row["bay"]: _docking(row) for row in rows}

        return await self._db.run(found)

    async def docked(self, bay: str, camera: str, now: float, clock: CameraClock | None) -> Docking:
        def docked(conn: sqlite3.Connection) -> Docking:
            with transaction(conn):
                cursor = conn.execute(
                    "INSERT INTO dockings (bay, camera, docked_at, offset_ms, measured_at, method) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        bay,
                        camera,
                        now,
                        None if clock is None else clock.offset_ms,
                        None if clock is None else clock.measured_at.timestamp(),
                        None if clock is None else clock.method,
                    ),
                )
                row = conn.execute("SELECT * FROM dockings WHERE id = ?", (cursor.lastrowid,))
                return _docking(row.fetchone())

        return await self._db.run(docked)

    async def undocked(self, docking: Docking, now: float) -> None:
        def undocked(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "UPDATE dockings SET undocked_at = ? WHERE id = ?", (now, docking.docking_id)
                )

        await self._db.run(undocked)

    async def find(self, camera: str, source: str, size: int, mtime_ns: int) -> StagedFile | None:
        def find(conn: sqlite3.Connection) -> StagedFile | None:
            row = conn.execute(
                _STAGED + "WHERE s.camera = ? AND s.source = ? AND s.size = ? AND s.mtime_ns = ?",
                (camera, source, size, mtime_ns),
            ).fetchone()
            return None if row is None else _staged(row)

        return await self._db.run(find)

    async def begin(
        self, docking: Docking, source: str, size: int, mtime_ns: int, target: Path
    ) -> StagedFile:
        """A copy starts. ``target`` must be a name no other staged file has."""

        def begin(conn: sqlite3.Connection) -> StagedFile:
            with transaction(conn):
                cursor = conn.execute(
                    "INSERT INTO staged (docking_id, camera, source, size, mtime_ns, target, state) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'copying')",
                    (docking.docking_id, docking.camera, source, size, mtime_ns, str(target)),
                )
                return _staged(
                    conn.execute(_STAGED + "WHERE s.id = ?", (cursor.lastrowid,)).fetchone()
                )

        return await self._db.run(begin)

    async def resumed_by(self, staged: StagedFile, docking: Docking) -> StagedFile:
        """A copy left unfinished by an earlier docking goes on under this one, whose
        clock then stands for the file."""

        def resumed(conn: sqlite3.Connection) -> StagedFile:
            with transaction(conn):
                conn.execute(
                    "UPDATE staged SET docking_id = ? WHERE id = ? AND state = 'copying'",
                    (docking.docking_id, staged.staged_id),
                )
                return _staged(
                    conn.execute(_STAGED + "WHERE s.id = ?", (staged.staged_id,)).fetchone()
                )

        return await self._db.run(resumed)

    async def finished(self, staged: StagedFile, md5: str, now: float) -> None:
        def finished(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "UPDATE staged SET state = 'staged', md5 = ?, staged_at = ? WHERE id = ?",
                    (md5, now, staged.staged_id),
                )

        await self._db.run(finished)

    async def target_taken(self, target: Path) -> bool:
        def taken(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT 1 FROM staged WHERE target = ?", (str(target),)).fetchone()
            return row is not None

        return await self._db.run(taken)

    async def of_target(self, target: Path) -> StagedFile | None:
        """What the pipeline asks when it signs a file from the staging area."""

        def of(conn: sqlite3.Connection) -> StagedFile | None:
            row = conn.execute(_STAGED + "WHERE s.target = ?", (str(target),)).fetchone()
            return None if row is None else _staged(row)

        return await self._db.run(of)
