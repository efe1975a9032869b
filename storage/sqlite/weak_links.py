"""What the report needs beyond coverage to find weak links (R10): standing exemptions by
reason and approver, late uploads by officer and docking station, acts whose duty is
as-needed with and without footage; and the officer roster that names officers and their
units. Each query selects acts or recordings as the report's own query does
(``report_filters``), so the sections agree with the counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from runtime.sqlite_thread import SqliteThread
from storage.compliance_records import OfficerRecord, ReportQuery
from storage.sqlite import dialect
from storage.sqlite.act_spans import spans_of
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.report_filters import recording_terms, report_filter, set_terms
from storage.sqlite.rows import when

__all__ = ["SqliteOfficers", "SqliteWeakLinks"]

_STANDING = (
    "JOIN exemptions e ON e.act_id = a.act_id AND e.act_revision = a.revision "
    "AND NOT EXISTS (SELECT 1 FROM exemption_withdrawals w WHERE w.exemption_id = e.id)"
)


def _late_filter(query: ReportQuery) -> tuple[str, dict[str, Any]]:
    """Late uploads follow their recording, as the report's open flags do: the agency of
    its case, its capturing officer, its capture start."""
    clauses, params = set_terms(recording_terms(query))
    return " AND ".join(["f.kind = 'late_upload'", *clauses]), params


def _exemptions(conn: sqlite3.Connection, query: ReportQuery) -> list[tuple[str, str, int]]:
    where, params = report_filter(dialect.of(conn), query)
    cursor = conn.execute(
        "SELECT e.reason, e.approver, COUNT(*) FROM acts a "  # noqa: S608
        f"JOIN cases c ON c.case_number = a.case_number {_STANDING} WHERE {where} "
        "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
        params,
    )
    return [(row[0], row[1], row[2]) for row in cursor]


def _late_uploads(
    conn: sqlite3.Connection, query: ReportQuery
) -> list[tuple[str | None, str, bool, int]]:
    where, params = _late_filter(query)
    cursor = conn.execute(
        "SELECT o.officer_id, f.device_id, f.resolved_at IS NULL, COUNT(*) FROM flags f "  # noqa: S608
        "JOIN objects o ON o.evidence_id = f.evidence_id AND o.role = 'original' "
        f"LEFT JOIN cases c ON c.case_number = o.case_number WHERE {where} GROUP BY 1, 2, 3",
        params,
    )
    return [(row[0], row[1], row[2] == 1, row[3]) for row in cursor]


def _as_needed(conn: sqlite3.Connection, query: ReportQuery) -> list[tuple[str, int, int]]:
    d = dialect.of(conn)
    where, params = report_filter(d, query)
    cursor = conn.execute(
        "WITH chosen AS (SELECT a.act_id, a.case_number, a.act_type, a.revision, "  # noqa: S608
        f"{d.ms('a.started_at')} AS a0, {d.ms('a.ended_at')} AS b0 "
        f"FROM acts a JOIN cases c ON c.case_number = a.case_number WHERE {where}) "
        f"SELECT a.act_type, COUNT(*), SUM(CASE WHEN {spans_of('a', d)} <> '' THEN 1 ELSE 0 END) "
        "FROM chosen a GROUP BY 1 ORDER BY 1",
        params,
    )
    return [(row[0], row[1], row[2]) for row in cursor]


class SqliteWeakLinks:
    def __init__(self, db: SqliteThread) -> None:
        self._db = db

    async def exemptions(self, query: ReportQuery) -> list[tuple[str, str, int]]:
        return await self._db.run(lambda conn: _exemptions(conn, query))

    async def late_uploads(self, query: ReportQuery) -> list[tuple[str | None, str, bool, int]]:
        return await self._db.run(lambda conn: _late_uploads(conn, query))

    async def as_needed(self, query: ReportQuery) -> list[tuple[str, int, int]]:
        return await self._db.run(lambda conn: _as_needed(conn, query))


class SqliteOfficers:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def roster(self) -> list[OfficerRecord]:
        def roster(conn: sqlite3.Connection) -> list[OfficerRecord]:
            cursor = conn.execute("SELECT officer_id, name, unit FROM officers ORDER BY 1")
            return [OfficerRecord(row[0], row[1], row[2]) for row in cursor]

        return await self._db.run(roster)

    async def update(
        self, rows: Sequence[OfficerRecord], by: str, now: datetime, *, commit: bool = True
    ) -> tuple[int, int, int]:
        """Add or correct each officer; (added, changed, unchanged). ``commit=False``
        counts without writing."""

        def update(conn: sqlite3.Connection) -> tuple[int, int, int]:
            added = changed = 0
            with transaction(conn):
                for row in rows:
                    held = conn.execute(
                        "SELECT name, unit FROM officers WHERE officer_id = ?", (row.officer_id,)
                    ).fetchone()
                    if held is not None and (held[0], held[1]) == (row.name, row.unit):
                        continue
                    added += held is None
                    changed += held is not None
                    if commit:
                        conn.execute(
                            "INSERT INTO officers VALUES (?, ?, ?, ?, ?) ON CONFLICT (officer_id) "
                            "DO UPDATE SET name = excluded.name, unit = excluded.unit, "
                            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                            (row.officer_id, row.name, row.unit, by, when(now)),
                        )
            return added, changed, len(rows) - added - changed

        return await self._db.run(update)
