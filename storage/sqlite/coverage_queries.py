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
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from runtime.gc_pause import gc_paused
from runtime.sqlite_thread import SqliteThread
from storage.compliance_records import Footage, ReportAct, ReportQuery, ReportRows
from storage.records import FlagRecord, StoredObject
from storage.sqlite import compliance_rows, dialect, rows
from storage.sqlite.database import SqliteDatabase
from storage.sqlite.dialect import Dialect
from storage.sqlite.rows import when


def _overlaps(a: str, b: str) -> str:
    """The span ``s`` overlaps the window from ``a`` to ``b`` (SQL expressions, in
    milliseconds). The first two terms let an index on start_ms narrow the search."""
    return (
        f"s.start_ms <= {b} AND s.end_ms >= {a} "
        f"AND (s.start_ms < {b} AND s.end_ms > {a} OR s.start_ms = s.end_ms)"
    )


def _by_case(act: str) -> str:
    """The spans attached to the act ``act`` (an alias with case_number, a0 and b0, its
    window in milliseconds) by its case number: what follows FROM."""
    return (
        f"recording_spans s WHERE s.case_number = {act}.case_number "
        f"AND {_overlaps(f'{act}.a0', f'{act}.b0')}"
    )


def _confirmed(act: str) -> str:
    """The spans a person confirmed for the act ``act`` that overlap it: what follows FROM."""
    return (
        "decisions d JOIN recording_spans s ON s.evidence_id = d.evidence_id "
        f"WHERE d.act_id = {act}.act_id AND d.decision = 'confirmed' "
        f"AND {_overlaps(f'{act}.a0', f'{act}.b0')}"
    )


def _serial_of(d: Dialect, manifest: str) -> str:
    """The camera serial a manifest names; the same expression as the index on manifests,
    which must never refuse a row (so a body that is not JSON has no serial)."""
    return d.json_text(f"{manifest}.body", "origin", "device_serial")


@functools.cache
def _footage_columns(d: Dialect) -> str:
    serial = (
        f"(SELECT {_serial_of(d, 'm')} FROM manifests m "  # noqa: S608
        "WHERE m.evidence_id = o.evidence_id AND m.role = o.role)"
    )
    return (
        "o.evidence_id, o.device_id, o.officer_id, o.case_number, o.started_at, o.ended_at, "  # noqa: S608
        f"o.received_at, {serial} AS device_serial, (SELECT z.clock_offset_ms FROM "
        "recording_spans z WHERE z.evidence_id = o.evidence_id) AS clock_offset_ms"
    )


# An exemption stands while it is not withdrawn and the act is still at the revision it
# was entered for.
_STANDING_EXEMPTION = (
    "EXISTS (SELECT 1 FROM exemptions e WHERE e.act_id = a.act_id "
    "AND e.act_revision = a.revision AND NOT EXISTS "
    "(SELECT 1 FROM exemption_withdrawals w WHERE w.exemption_id = e.id))"
)
# An open flag with the stored original it is about, if any, and that recording's case.
_FLAGS = (
    "FROM flags f LEFT JOIN objects o ON o.evidence_id = f.evidence_id AND o.role = 'original' "
    "LEFT JOIN cases c ON c.case_number = o.case_number"
)

# Originals without a case number that may overlap an act and whose officer, signing
# device or camera serial the act names. Each leg walks a partial index of such originals
# by officer, device or serial, between the act's start less the longest such recording
# (less a second of slack for rounding) and its end plus a second, so neither a busy dock
# nor a year of footage is read per act; the overlap rule then decides on the spans. The
# walk is on the signed start (the device's clock) and the spans are in station time, so
# both bounds widen by the largest clock correction among such originals (``drift``: two
# lookups in a partial index; nothing when no clock was corrected).
# On SQLite, CROSS JOIN fixes the order and INDEXED BY the index: without statistics SQLite
# would otherwise build a temporary index over every original, per query. Whether it
# fits, and on what, the caller decides again. Each leg names an original by its evidence
# id (every leg's object is an original).
_WITHOUT_CASE = "o.case_number IS NULL AND o.role = 'original'"
_NEAR = "o.started_at >= c.earliest AND o.started_at <= c.latest"


def _drift(d: Dialect) -> str:
    """The largest clock correction among originals without a case number, in seconds."""
    corrected = (
        f"FROM recording_spans {d.indexed_by('recording_spans_corrected_without_case')} "
        "WHERE case_number IS NULL AND clock_offset_ms <> 0"
    )
    most = d.greatest(
        f"COALESCE((SELECT MAX(clock_offset_ms) {corrected}), 0)",
        f"-COALESCE((SELECT MIN(clock_offset_ms) {corrected}), 0)",
    )
    return f"SELECT {most} / 1000.0 AS seconds"


@functools.cache
def _candidates(d: Dialect) -> str:
    longest = d.longest_seconds("started_at", "COALESCE(ended_at, started_at)")
    cross = d.ordered_join
    return (
        f"WITH longest AS (SELECT COALESCE({longest}, 0) + 1 AS seconds "  # noqa: S608
        f"FROM objects {d.indexed_by('objects_without_case_by_length')} "
        "WHERE case_number IS NULL AND role = 'original'), "
        f"drift AS ({_drift(d)}), "
        "chosen AS MATERIALIZED (SELECT a.act_id, a.officers, a.devices, "
        f"{d.ms('a.started_at')} AS a0, {d.ms('a.ended_at')} AS b0, "
        + d.moved(
            "a.started_at", "-((SELECT seconds FROM longest) + (SELECT seconds FROM drift))", "000Z"
        )
        + " AS earliest, "
        + d.moved("a.ended_at", "1 + (SELECT seconds FROM drift)", "999Z")
        + " AS latest FROM acts a {chosen}), "  # noqa: S608
        "pairs AS ("
        f"SELECT c.act_id, c.a0, c.b0, o.evidence_id AS object FROM chosen c "
        f"CROSS JOIN {d.each('c.officers', 'j')} "
        f"{cross} objects o {d.indexed_by('objects_without_case_by_officer')} "
        f"ON o.officer_id = j.value AND {_WITHOUT_CASE} AND {_NEAR} "
        "UNION "
        f"SELECT c.act_id, c.a0, c.b0, o.evidence_id FROM chosen c "
        f"CROSS JOIN {d.each('c.devices', 'j')} "
        f"{cross} objects o {d.indexed_by('objects_without_case_by_device')} "
        f"ON o.device_id = j.value AND {_WITHOUT_CASE} AND {_NEAR} "
        "UNION "
        f"SELECT c.act_id, c.a0, c.b0, o.evidence_id FROM chosen c "
        f"CROSS JOIN {d.each('c.devices', 'j')} "
        f"{cross} manifests m {d.indexed_by('manifests_without_case_by_serial')} "
        f"ON {_serial_of(d, 'm')} = j.value AND m.case_number IS NULL AND m.role = 'original' "
        f"{cross} objects o ON o.evidence_id = m.evidence_id AND o.role = m.role "
        f"AND {_NEAR})"
    )


def _report_filter(d: Dialect, query: ReportQuery) -> tuple[str, dict[str, Any]]:
    clauses = [f"a.act_type IN ({d.texts_in(':types')})"]
    params: dict[str, Any] = {"types": json.dumps(query.act_types)}
    if query.agency is not None:
        clauses.append("c.agency = :agency")
        params["agency"] = query.agency
    if query.act_type is not None:
        clauses.append("a.act_type = :act_type")
        params["act_type"] = query.act_type
    if query.officer is not None:
        clauses.append(f":officer IN ({d.texts_in('a.officers')})")
        params["officer"] = query.officer
    if query.since is not None:
        clauses.append("a.started_at >= :since")
        params["since"] = when(query.since)
    if query.until is not None:
        clauses.append("a.started_at < :until")
        params["until"] = when(query.until)
    if query.act_ids is not None:
        clauses.append(f"a.act_id IN ({d.ints_in(':act_ids')})")
        params["act_ids"] = json.dumps(query.act_ids)
    return " AND ".join(clauses), params


def _flag_filter(query: ReportQuery) -> tuple[str, dict[str, Any]]:
    """Open flags that fall under the report's filters. A flag about a stored recording
    (a late upload, a failed verification) follows the recording: the agency of its case
    (a recording whose case is not registered only without an agency filter), its officer,
    its capture start for since/until. A flag about no stored recording (a sequence gap:
    footage that never arrived) can be placed under no agency or officer, so it is
    counted only when neither filter is set. The act type filter does not apply."""
    recording = ["o.evidence_id IS NOT NULL"]
    params: dict[str, Any] = {}
    if query.agency is not None:
        recording.append("c.agency = :agency")
        params["agency"] = query.agency
    if query.officer is not None:
        recording.append("o.officer_id = :officer")
        params["officer"] = query.officer
    if query.since is not None:
        recording.append("o.started_at >= :since")
        params["since"] = when(query.since)
    if query.until is not None:
        recording.append("o.started_at < :until")
        params["until"] = when(query.until)
    device = "o.evidence_id IS NULL" if query.agency is None and query.officer is None else "FALSE"
    return f"f.resolved_at IS NULL AND (({' AND '.join(recording)}) OR {device})", params


def _report(conn: sqlite3.Connection, query: ReportQuery) -> ReportRows:
    """One row per act, its attached recordings folded by correlated subqueries on
    ``recording_spans_by_case`` into a text of integer milliseconds from the act's start
    ("s1,e1,s2,e2,…"): SQLite hands Python sixty thousand rows instead of half a million,
    and the numbers relative to the act are shorter to write and to read back."""
    d = dialect.of(conn)
    where, params = _report_filter(d, query)
    params["offset"] = f"{query.utc_offset_minutes:+d} minutes"
    pair = d.joined("(s.start_ms - a.a0) || ',' || (s.end_ms - a.a0)")
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: a sqlite3.Row per act costs more
    cursor.execute(
        "WITH chosen AS MATERIALIZED (SELECT a.act_id, a.case_number, a.act_type, a.started_at, "  # noqa: S608
        f"a.officers, a.revision, c.agency, {d.ms('a.started_at')} AS a0, "
        f"{d.ms('a.ended_at')} AS b0 "
        f"FROM acts a JOIN cases c ON c.case_number = a.case_number WHERE {where}) "
        "SELECT a.act_id, a.case_number, a.agency, a.act_type, a.a0, a.b0, "
        f"{d.month('a.started_at', ':offset')}, a.officers, "
        f"{_STANDING_EXEMPTION}, a.revision, (SELECT {pair} FROM {_by_case('a')}), "
        f"(SELECT {pair} FROM {_confirmed('a')}) "
        "FROM chosen a",
        params,
    )
    rows = cursor.fetchall()
    acts = [
        ReportAct(i, case, agency, kind, a, b, month, _names(officers), exempted == 1, revision)
        for i, case, agency, kind, a, b, month, officers, exempted, revision, _, _ in rows
    ]
    spans = [
        (by_case or "") if confirmed is None else f"{by_case},{confirmed}" if by_case else confirmed
        for by_case, confirmed in map(itemgetter(10, 11), rows)
    ]
    return ReportRows(acts, spans)


def _paused_report(conn: sqlite3.Connection, query: ReportQuery) -> ReportRows:
    with gc_paused():  # sixty thousand rows kept alive: see runtime/gc_pause.py
        return _report(conn, query)


def _names(text: str) -> tuple[str, ...]:
    """A JSON array of strings, as compliance_rows.texts writes it; plain ones (no escapes,
    no quotes) are split without the JSON parser, which the report would call per act."""
    if text == "[]":
        return ()
    if text[:2] == '["' and text[-2:] == '"]' and "\\" not in text and '","' not in text:
        return tuple(text[2:-2].split('", "'))
    return tuple(json.loads(text))


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
                f"SELECT t.act_id, t.matched, {_footage_columns(d)} FROM spans t "
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
                f"{_candidates(d).replace('{chosen}', chosen)} "  # noqa: S608
                f"SELECT p.act_id, 'suggested' AS matched, {_footage_columns(d)} FROM pairs p "
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
        return await self._db.run(lambda conn: _paused_report(conn, query))

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
            where, params = _flag_filter(query)
            counts = conn.execute(
                f"SELECT f.kind, COUNT(*) {_FLAGS} WHERE {where} GROUP BY f.kind",
                params,
            ).fetchall()
            cursor = conn.execute(
                f"SELECT f.* {_FLAGS} WHERE {where} ORDER BY f.id LIMIT :limit",
                {**params, "limit": limit},
            )
            return {kind: n for kind, n in counts}, [rows.flag(row) for row in cursor]

        return await self._reader.run(open_flags)
