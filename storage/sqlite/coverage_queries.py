"""Stored originals seen from enforcement acts: attached, suggested, unassigned, late.

A recording is attached to an act when it carries the act's case number and overlaps the
act's window widened by the tolerance on each side, or when a person confirmed it. The
overlap is decided on ``recording_spans`` (each original's span in integer milliseconds,
kept by trigger, see schema.sql) against the act's times in the same unit, the same way
for the report, a case's coverage and the unassigned list. Suggestions walk the
``objects`` indexes of originals without a case number, whose times are fixed-width UTC
text (``rows.when``), so their window edges are made in that form.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from evidence.case_number import CaseNumber
from evidence.identifiers import DeviceId, EvidenceId
from evidence.strict_json import parse_time
from storage.compliance_records import Footage, LateUpload, ReportAct, ReportQuery, ReportRows
from storage.records import StoredObject
from storage.sqlite import compliance_rows, rows
from storage.sqlite.database import SqliteDatabase
from storage.sqlite.rows import when

# The edges of an act's window, widened by the tolerance, in the form rows.when writes.
_LO = "strftime('%Y-%m-%dT%H:%M:%f', {0}.started_at, :minus) || '000Z'"
_HI = "strftime('%Y-%m-%dT%H:%M:%f', {0}.ended_at, :plus) || '999Z'"
# Milliseconds since the epoch (julianday's double is good to ~40 µs); as schema.sql makes
# recording_spans.
_MS = "CAST(round((julianday({0}) - 2440587.5) * 86400000.0) AS INTEGER)"
# An act's window widened by the tolerance, in milliseconds, and a span overlapping it.
_LO_MS = f"{_MS.format('{0}.started_at')} - :tolerance_ms"
_HI_MS = f"{_MS.format('{0}.ended_at')} + :tolerance_ms"
_SPAN_OVERLAPS = "s.start_ms <= c.hi AND s.end_ms >= c.lo"
# The camera serial a manifest names; the same expression as the index on manifests, which
# must never refuse a row (so a body that is not JSON has no serial rather than an error).
_SERIAL_OF = (
    "CASE WHEN json_valid(CAST({0}.body AS TEXT)) "
    "THEN json_extract(CAST({0}.body AS TEXT), '$.origin.device_serial') END"
)
_SERIAL = (
    f"(SELECT {_SERIAL_OF.format('m')} FROM manifests m "  # noqa: S608
    "WHERE m.evidence_id = o.evidence_id AND m.role = o.role)"
)
_FOOTAGE_COLUMNS = (
    "o.evidence_id, o.device_id, o.officer_id, o.case_number, o.started_at, o.ended_at, "
    f"o.received_at, {_SERIAL} AS device_serial"
)
_OVERLAPS = "o.started_at <= c.hi AND COALESCE(o.ended_at, o.started_at) >= c.lo"
_STANDING_EXEMPTION = (
    "EXISTS (SELECT 1 FROM exemptions e WHERE e.act_id = a.act_id AND NOT EXISTS "
    "(SELECT 1 FROM exemption_withdrawals w WHERE w.exemption_id = e.id))"
)
_DELAY = "julianday(received_at) - julianday(COALESCE(ended_at, started_at))"

# Originals without a case number, each with an act it overlaps (widened) and whose
# officers or devices name its officer, signing device or camera serial. Each leg walks a
# partial index of such originals by officer, device or serial, from the act's widened
# start less the longest such recording, so neither a busy dock nor a year of footage
# is read per act. CROSS JOIN fixes the order and INDEXED BY the index: without
# statistics SQLite would otherwise build a temporary index over every original, per
# query. Whether it fits, and on what, the caller decides again.
_WITHOUT_CASE = "o.case_number IS NULL AND o.role = 'original'"
_IN_WINDOW = f"o.started_at >= c.earliest AND {_OVERLAPS}"
_CANDIDATES = (
    "WITH longest AS (SELECT COALESCE(MAX(julianday(COALESCE(ended_at, started_at)) "  # noqa: S608
    "- julianday(started_at)), 0) * 86400.0 + :tolerance + 1 AS seconds FROM objects "
    "INDEXED BY objects_without_case_by_length WHERE case_number IS NULL AND role = 'original'), "
    "chosen AS MATERIALIZED (SELECT a.act_id, a.officers, a.devices, "
    f"{_LO.format('a')} AS lo, {_HI.format('a')} AS hi, "
    "strftime('%Y-%m-%dT%H:%M:%f', a.started_at, "
    "printf('-%.6f seconds', (SELECT seconds FROM longest))) || '000Z' AS earliest "
    "FROM acts a {chosen}), "
    "pairs AS ("
    "SELECT c.act_id, o.rowid AS object FROM chosen c CROSS JOIN json_each(c.officers) j "
    "CROSS JOIN objects o INDEXED BY objects_without_case_by_officer "
    f"ON o.officer_id = j.value AND {_WITHOUT_CASE} AND {_IN_WINDOW} "
    "UNION "
    "SELECT c.act_id, o.rowid FROM chosen c CROSS JOIN json_each(c.devices) j "
    "CROSS JOIN objects o INDEXED BY objects_without_case_by_device "
    f"ON o.device_id = j.value AND {_WITHOUT_CASE} AND {_IN_WINDOW} "
    "UNION "
    "SELECT c.act_id, o.rowid FROM chosen c CROSS JOIN json_each(c.devices) j "
    "CROSS JOIN manifests m INDEXED BY manifests_without_case_by_serial "
    f"ON {_SERIAL_OF.format('m')} = j.value AND m.case_number IS NULL AND m.role = 'original' "
    "CROSS JOIN objects o ON o.evidence_id = m.evidence_id AND o.role = m.role "
    f"AND {_IN_WINDOW})"
)


def _widen(tolerance: float) -> dict[str, Any]:
    return {
        "minus": f"-{tolerance:.6f} seconds",
        "plus": f"+{tolerance:.6f} seconds",
        "tolerance_ms": round(tolerance * 1000),
    }


def _report_filter(query: ReportQuery) -> tuple[str, dict[str, Any]]:
    clauses = ["a.act_type IN (SELECT value FROM json_each(:types))"]
    params: dict[str, Any] = {"types": json.dumps(query.act_types)}
    if query.agency is not None:
        clauses.append("c.agency = :agency")
        params["agency"] = query.agency
    if query.act_type is not None:
        clauses.append("a.act_type = :act_type")
        params["act_type"] = query.act_type
    if query.officer is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(a.officers) WHERE value = :officer)")
        params["officer"] = query.officer
    if query.since is not None:
        clauses.append("a.started_at >= :since")
        params["since"] = when(query.since)
    if query.until is not None:
        clauses.append("a.started_at < :until")
        params["until"] = when(query.until)
    return " AND ".join(clauses), params


def _report(conn: sqlite3.Connection, query: ReportQuery) -> ReportRows:
    """One row per act, its attached recordings folded by correlated subqueries on
    ``recording_spans_by_case`` into a text of integer milliseconds ("s1,e1,s2,e2,…"):
    SQLite hands Python sixty thousand rows instead of half a million."""
    where, params = _report_filter(query)
    params.update(_widen(query.tolerance_seconds))
    params["offset"] = f"{query.utc_offset_minutes:+d} minutes"
    pair = "group_concat(s.start_ms || ',' || s.end_ms)"
    cursor = conn.execute(
        "WITH chosen AS MATERIALIZED (SELECT a.act_id, a.case_number, a.act_type, a.started_at, "  # noqa: S608
        f"a.officers, c.agency, {_MS.format('a.started_at')} AS a0, "
        f"{_MS.format('a.ended_at')} AS b0 "
        f"FROM acts a JOIN cases c ON c.case_number = a.case_number WHERE {where}) "
        "SELECT a.act_id, a.case_number, a.agency, a.act_type, a.a0, a.b0, "
        "strftime('%Y-%m', a.started_at, :offset), a.officers, "
        f"{_STANDING_EXEMPTION}, "
        f"(SELECT {pair} FROM recording_spans s WHERE s.case_number = a.case_number "
        "AND s.start_ms <= a.b0 + :tolerance_ms AND s.end_ms >= a.a0 - :tolerance_ms), "
        f"(SELECT {pair} FROM decisions d JOIN recording_spans s ON s.evidence_id = d.evidence_id "
        "WHERE d.act_id = a.act_id AND d.decision = 'confirmed') "
        "FROM chosen a",
        params,
    )
    acts, footage = [], {}
    for row in cursor:
        act_id = row[0]
        officers = _names(row[7])
        acts.append(
            ReportAct(act_id, row[1], row[2], row[3], row[4], row[5], row[6], officers, row[8] == 1)
        )
        spans = _spans(row[9]) + _spans(row[10])
        if spans:
            footage[act_id] = spans
    return ReportRows(acts, footage)


def _names(text: str) -> tuple[str, ...]:
    """A JSON array of strings, as compliance_rows.texts writes it; plain ones (no escapes,
    no quotes) are split without the JSON parser, which the report would call per act."""
    if text == "[]":
        return ()
    if text[:2] == '["' and text[-2:] == '"]' and "\\" not in text and '","' not in text:
        return tuple(text[2:-2].split('", "'))
    return tuple(json.loads(text))


def _spans(text: str | None) -> list[tuple[int, int]]:
    if text is None:
        return []
    values = map(int, text.split(","))
    return list(zip(values, values, strict=True))  # (s1, e1), (s2, e2), …


class SqliteComplianceQueries:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def attached(self, act_ids: Sequence[int], tolerance: float) -> list[Footage]:
        def attached(conn: sqlite3.Connection) -> list[Footage]:
            cursor = conn.execute(
                "WITH chosen AS MATERIALIZED (SELECT a.act_id, a.case_number, "  # noqa: S608
                f"{_LO_MS.format('a')} AS lo, {_HI_MS.format('a')} AS hi FROM acts a "
                "WHERE a.act_id IN (SELECT value FROM json_each(:ids))) "
                f"SELECT c.act_id, 'case_number' AS matched, {_FOOTAGE_COLUMNS} FROM chosen c "
                "JOIN recording_spans s ON s.case_number = c.case_number "
                f"AND {_SPAN_OVERLAPS} JOIN objects o ON o.evidence_id = s.evidence_id AND o.role = 'original' "
                "UNION ALL "
                f"SELECT c.act_id, 'confirmed' AS matched, {_FOOTAGE_COLUMNS} FROM chosen c "
                "JOIN decisions d ON d.act_id = c.act_id AND d.decision = 'confirmed' "
                "JOIN objects o ON o.evidence_id = d.evidence_id AND o.role = 'original' "
                "ORDER BY 1, 7, 3",
                {"ids": json.dumps(list(act_ids)), **_widen(tolerance)},
            )
            return [compliance_rows.footage(row) for row in cursor]

        return await self._db.run(attached)

    async def candidates(self, act_ids: Sequence[int] | None, tolerance: float) -> list[Footage]:
        def candidates(conn: sqlite3.Connection) -> list[Footage]:
            chosen = (
                "" if act_ids is None else "WHERE a.act_id IN (SELECT value FROM json_each(:ids))"
            )
            cursor = conn.execute(
                f"{_CANDIDATES.format(chosen=chosen)} "  # noqa: S608
                f"SELECT p.act_id, 'suggested' AS matched, {_FOOTAGE_COLUMNS} FROM pairs p "
                "JOIN objects o ON o.rowid = p.object WHERE NOT EXISTS (SELECT 1 FROM decisions d "
                "WHERE d.evidence_id = o.evidence_id AND d.act_id = p.act_id) ORDER BY 1, 7, 3",
                {
                    "ids": json.dumps(list(act_ids or ())),
                    "tolerance": tolerance,
                    **_widen(tolerance),
                },
            )
            return [compliance_rows.footage(row) for row in cursor]

        return await self._db.run(candidates)

    async def unassigned(self, tolerance: float, limit: int, offset: int) -> list[StoredObject]:
        def unassigned(conn: sqlite3.Connection) -> list[StoredObject]:
            cursor = conn.execute(
                "SELECT o.* FROM objects o JOIN recording_spans s ON s.evidence_id = o.evidence_id "  # noqa: S608
                "WHERE o.role = 'original' AND NOT EXISTS (SELECT 1 FROM acts c "
                f"WHERE c.case_number = s.case_number AND s.start_ms <= {_HI_MS.format('c')} "
                f"AND s.end_ms >= {_LO_MS.format('c')}) "
                "AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.evidence_id = o.evidence_id "
                "AND d.decision = 'confirmed') "
                "ORDER BY o.started_at DESC, o.evidence_id LIMIT :limit OFFSET :skip",
                {"limit": limit, "skip": offset, **_widen(tolerance)},
            )
            return [rows.stored_object(row) for row in cursor]

        return await self._db.run(unassigned)

    async def report(self, query: ReportQuery) -> ReportRows:
        return await self._db.run(lambda conn: _report(conn, query))

    async def late_uploads(self, hours: float, limit: int) -> tuple[int, list[LateUpload]]:
        def late(conn: sqlite3.Connection) -> tuple[int, list[LateUpload]]:
            params = {"days": hours / 24.0, "limit": limit}
            where = f"role = 'original' AND {_DELAY} > :days"
            count = conn.execute(f"SELECT COUNT(*) FROM objects WHERE {where}", params).fetchone()  # noqa: S608
            cursor = conn.execute(
                "SELECT evidence_id, device_id, case_number, "  # noqa: S608
                "COALESCE(ended_at, started_at) AS captured_until, received_at "
                f"FROM objects WHERE {where} ORDER BY received_at DESC, evidence_id LIMIT :limit",
                params,
            )
            found = [
                LateUpload(
                    evidence_id=EvidenceId(row["evidence_id"]),
                    device_id=DeviceId(row["device_id"]),
                    case_number=None
                    if row["case_number"] is None
                    else CaseNumber(row["case_number"]),
                    captured_until=parse_time(row["captured_until"]),
                    received_at=parse_time(row["received_at"]),
                )
                for row in cursor
            ]
            return int(count[0]), found

        return await self._db.run(late)
