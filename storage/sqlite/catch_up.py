"""What an index kept before this version may lack, found and filled for the server to
decide (storage decides nothing; ``liuhen upgrade-check`` does):

- registrations that stopped half-way: before registrations were one transaction, a
  manifest could be kept without its room segment, fingerprints or flags, and its retry
  answered 200 and wrote nothing more. ``fill`` writes what the server derives again
  where nothing of its kind is held (a flag of that kind for that subject, open or
  resolved; the segment; the fingerprints of that role);
- transcripts and imports made before bodies were read whole: listed, since only a
  person holding the sent file can tell whether the server kept all of it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from evidence.identifiers import EvidenceId, Role
from evidence.strict_json import parse_time
from storage.records import ActBatch, Derived, StoredObject
from storage.sqlite import dialect, rows
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.flags import insert_flag
from storage.sqlite.media import insert_prints, insert_segment

__all__ = ["SqliteCatchUp"]


def _fill(conn: sqlite3.Connection, derived: Derived, write: bool) -> Derived:
    segment = derived.segment
    if segment is not None and _held(
        conn, "SELECT 1 FROM segments WHERE evidence_id = ?", str(segment.evidence_id)
    ):
        segment = None
    prints = tuple(
        p
        for p in derived.prints
        if p.prints
        and not _held(
            conn,
            "SELECT 1 FROM perceptual WHERE evidence_id = ? AND role = ?",
            str(p.evidence_id),
            p.role.value,
        )
    )
    flags = tuple(
        f
        for f in derived.flags
        if not _held(conn, "SELECT 1 FROM flags WHERE kind = ? AND subject = ?", f.kind, f.subject)
    )
    written = Derived(segment=segment, prints=prints, flags=flags)
    if not write:
        return written
    if segment is not None:
        insert_segment(conn, segment)
    for each in prints:
        insert_prints(conn, each)
    for flag in flags:
        insert_flag(conn, flag)
    return written


def _held(conn: sqlite3.Connection, query: str, *values: str) -> bool:
    return conn.execute(query, values).fetchone() is not None


class SqliteCatchUp:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def registered_before(self, moment: datetime) -> list[tuple[EvidenceId, Role]]:
        def keys(conn: sqlite3.Connection) -> list[tuple[EvidenceId, Role]]:
            found = conn.execute(
                "SELECT evidence_id, role FROM manifests WHERE registered_at < ? "
                "ORDER BY registered_at, evidence_id, role",
                (rows.when(moment),),
            )
            return [(EvidenceId(e), Role(r)) for e, r in found]

        return await self._db.run(keys)

    async def fill(self, derived: Derived, *, write: bool = True) -> Derived:
        """Write what of ``derived`` nothing of its kind is held for (with ``write``
        false, only say what that is); return it."""

        def fill(conn: sqlite3.Connection) -> Derived:
            with transaction(conn):
                return _fill(conn, derived, write)

        return await self._db.run(fill)

    async def transcripts_before(self, moment: datetime) -> list[StoredObject]:
        def transcripts(conn: sqlite3.Connection) -> list[StoredObject]:
            found = conn.execute(
                "SELECT * FROM objects WHERE role = ? AND received_at < ? ORDER BY received_at",
                (Role.TRANSCRIPT.value, rows.when(moment)),
            )
            return [rows.stored_object(row) for row in found]

        return await self._db.run(transcripts)

    async def act_batches_before(self, moment: datetime) -> list[ActBatch]:
        """Acts registered together (an import gives every act it adds one time), before
        ``moment``: who, when, how many, of which cases."""

        def batches(conn: sqlite3.Connection) -> list[ActBatch]:
            found = conn.execute(
                "SELECT created_by, created_at, COUNT(*), "  # noqa: S608
                f"{dialect.of(conn).distinct_array('case_number')} FROM acts "
                "WHERE created_at < ? GROUP BY created_by, created_at ORDER BY created_at",
                (rows.when(moment),),
            )
            return [
                ActBatch(by, parse_time(at), count, tuple(json.loads(cases)))
                for by, at, count, cases in found
            ]

        return await self._db.run(batches)
