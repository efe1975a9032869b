"""Stored originals seen from enforcement acts: attached, suggested, unassigned; and the
open flags a report's filters select.

**The one overlap rule** (``_overlaps``), used for attaching, suggesting and the
unassigned list alike, on ``recording_spans`` (each original's span in integer
milliseconds, kept by trigger, see schema.sql) against the act's window ``[a, b]`` in the
same unit: a recording ``[s, e]`` overlaps the act when it shares some time with it
(``s < b`` and ``e > a``; touching an edge is not overlap), and a point (``s = e``: its end
is unknown) when it lies inside the window (``a <= s <= b``). The window is the act's
own: the tolerance plays no part in matching, only in measuring gaps (coverage.py).

A recording is attached to an act when it overlaps it and carries the act's case number,
or a person confirmed it for that act. Suggestions walk the ``objects`` indexes of
originals without a case number, whose times are fixed-width UTC text (``rows.when``);
those walks only narrow the search, and the rule decides on the spans.

The pieces live beside this module, one purpose each: the report's filters
(``report_filters``), its query (``act_report``), the suggestion walk
(``candidate_walk``) and the columns footage is read with (``footage_sql``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from runtime.sqlite_thread import SqliteThread
from storage.compliance_records import Footage, ReportQuery, ReportRows
from storage.records import FlagRecord, StoredObject
from storage.sqlite import compliance_rows, dialect, rows
from storage.sqlite.act_report import report_rows
from storage.sqlite.candidate_walk import candidate_pairs
from storage.sqlite.database import SqliteDatabase
from storage.sqlite.footage_sql import footage_columns
from storage.sqlite.report_filters import flag_filter
from storage.sqlite.span_rule import _by_case, _confirmed, _overlaps

# An open flag with the stored original it is about, if any, and that recording's case.
_FLAGS = (
    "FROM flags f LEFT JOIN objects o ON o.evidence_id = f.evidence_id AND o.role = 'original' "
    "LEFT JOIN cases c ON c.case_number = o.case_number"
)


class SqliteComplianceQueries:
    def __init__(self, db: SqliteDatabase, reader: SqliteThread | None = None) -> None:
        self._db = db
        self._reader = reader or db  # the report's flags and empty cases, beside its query

    async def attached(self, act_ids: Sequence[int]) -> list[Footage]:
        def attached(conn: sqlite3.Connection) -> list[Footage]:
            d = dialect.of(conn)
            spans = (
                "SELECT c.act_id, 'case_number' AS matched, s.evidence_id "  # noqa: S608
                f"FROM chosen c CROSS JOIN {_by_case('c')} UNION ALL "
                "SELECT c.act_id, 'confirmed', s.evidence_id "
                f"FROM chosen c CROSS JOIN {_confirmed('c')}"
            )
            cursor = conn.execute(
                "WITH chosen AS MATERIALIZED (SELECT a.act_id, a.case_number, "  # noqa: S608
                f"{d.ms('a.started_at')} AS a0, {d.ms('a.ended_at')} AS b0 "
                f"FROM acts a WHERE a.act_id IN ({d.ints_in(':ids')})), "
                f"spans AS ({spans}) "
                f"SELECT t.act_id, t.matched, {footage_columns(d)} FROM spans t "
                "JOIN objects o ON o.evidence_id = t.evidence_id AND o.role = 'original' "
                "ORDER BY 1, 7, 3",
                {"ids": json.dumps(list(act_ids))},
            )
            return [compliance_rows.footage(row) for row in cursor]

        return await self._db.run(attached)

    async def candidates(self, act_ids: Sequence[int] | None) -> list[Footage]:
        def candidates(conn: sqlite3.Connection) -> list[Footage]:
            d = dialect.of(conn)
            chosen = "" if act_ids is None else f"WHERE a.act_id IN ({d.ints_in(':ids')})"
            cursor = conn.execute(
                f"{candidate_pairs(d).replace('{chosen}', chosen)} "  # noqa: S608
                f"SELECT p.act_id, 'suggested' AS matched, {footage_columns(d)} FROM pairs p "
                "JOIN objects o ON o.evidence_id = p.object AND o.role = 'original' "
                "JOIN recording_spans s ON s.evidence_id = o.evidence_id "
                f"AND {_overlaps('p.a0', 'p.b0')} WHERE NOT EXISTS (SELECT 1 FROM decisions d "
                "WHERE d.evidence_id = o.evidence_id AND d.act_id = p.act_id) ORDER BY 1, 7, 3",
                {"ids": json.dumps(list(act_ids or ()))},
            )
            return [compliance_rows.footage(row) for row in cursor]

        return await self._db.run(candidates)

    async def unassigned(self, limit: int, offset: int) -> list[StoredObject]:
        def unassigned(conn: sqlite3.Connection) -> list[StoredObject]:
            d = dialect.of(conn)
            a0, b0 = d.ms("c.started_at"), d.ms("c.ended_at")
            cursor = conn.execute(
                "SELECT o.* FROM objects o JOIN recording_spans s ON s.evidence_id = o.evidence_id "  # noqa: S608
                "WHERE o.role = 'original' AND NOT EXISTS (SELECT 1 FROM acts c "
                f"WHERE c.case_number = s.case_number AND {_overlaps(a0, b0)}) "
                "AND NOT EXISTS (SELECT 1 FROM decisions d JOIN acts c ON c.act_id = d.act_id "
                "WHERE d.evidence_id = o.evidence_id AND d.decision = 'confirmed' "
                f"AND {_overlaps(a0, b0)}) "
                "ORDER BY o.started_at DESC, o.evidence_id LIMIT :limit OFFSET :skip",
                {"limit": limit, "skip": offset},
            )
            return [rows.stored_object(row) for row in cursor]

        return await self._db.run(unassigned)

    async def report(self, query: ReportQuery) -> ReportRows:
        return await self._db.run(lambda conn: report_rows(conn, query))

    async def cases_without_acts(self, agency: str | None) -> list[tuple[str, str]]:
        def cases_without_acts(conn: sqlite3.Connection) -> list[tuple[str, str]]:
            cursor = conn.execute(
                "SELECT case_number, agency FROM cases c WHERE NOT EXISTS "
                "(SELECT 1 FROM acts a WHERE a.case_number = c.case_number) "
                "AND (:agency IS NULL OR agency = :agency) ORDER BY case_number",
                {"agency": agency},
            )
            return [(row[0], row[1]) for row in cursor]

        return await self._reader.run(cases_without_acts)

    async def open_flags(
        self, query: ReportQuery, limit: int
    ) -> tuple[dict[str, int], list[FlagRecord]]:
        def open_flags(conn: sqlite3.Connection) -> tuple[dict[str, int], list[FlagRecord]]:
            where, params, joined = flag_filter(query)
            flags = _FLAGS if joined else "FROM flags f"
            counts = conn.execute(
                f"SELECT f.kind, COUNT(*) {flags} WHERE {where} GROUP BY f.kind",
                params,
            ).fetchall()
            cursor = conn.execute(
                f"SELECT f.* {flags} WHERE {where} ORDER BY f.id LIMIT :limit",
                {**params, "limit": limit},
            )
            return {kind: n for kind, n in counts}, [rows.flag(row) for row in cursor]

        return await self._reader.run(open_flags)
