"""The compliance report's one query: a row per selected act, its attached recordings
folded (``act_spans``) and whether a standing exemption covers it."""

from __future__ import annotations

import json
import sqlite3
from operator import itemgetter

from runtime.gc_pause import gc_paused
from storage.compliance_records import ReportAct, ReportQuery, ReportRows
from storage.sqlite import dialect
from storage.sqlite.act_spans import spans_of
from storage.sqlite.report_filters import report_filter

# An exemption stands while it is not withdrawn and the act is still at the revision it
# was entered for.
_STANDING_EXEMPTION = (
    "EXISTS (SELECT 1 FROM exemptions e WHERE e.act_id = a.act_id "
    "AND e.act_revision = a.revision AND NOT EXISTS "
    "(SELECT 1 FROM exemption_withdrawals w WHERE w.exemption_id = e.id))"
)


def _report(conn: sqlite3.Connection, query: ReportQuery) -> ReportRows:
    """One row per act, its attached recordings as the text of integer milliseconds from
    the act's start ("s1,e1,s2,e2,…") that ``act_spans`` keeps folded: SQLite hands Python
    sixty thousand rows instead of half a million, and walks no recordings to do it."""
    d = dialect.of(conn)
    where, params = report_filter(d, query)
    params["offset"] = f"{query.utc_offset_minutes:+d} minutes"
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: a sqlite3.Row per act costs more
    cursor.execute(
        "WITH chosen AS (SELECT a.act_id, a.case_number, a.act_type, a.started_at, "  # noqa: S608
        f"a.officers, a.revision, c.agency, {d.ms('a.started_at')} AS a0, "
        f"{d.ms('a.ended_at')} AS b0 "
        f"FROM acts a JOIN cases c ON c.case_number = a.case_number WHERE {where}) "
        "SELECT a.act_id, a.case_number, a.agency, a.act_type, a.a0, a.b0, "
        f"{d.month('a.started_at', ':offset')}, a.officers, "
        f"{_STANDING_EXEMPTION}, a.revision, {spans_of('a', d)} "
        "FROM chosen a",
        params,
    )
    rows = cursor.fetchall()
    acts = [
        ReportAct(i, case, agency, kind, a, b, month, _names(officers), exempted == 1, revision)
        for i, case, agency, kind, a, b, month, officers, exempted, revision, _ in rows
    ]
    return ReportRows(acts, list(map(itemgetter(10), rows)))


def report_rows(conn: sqlite3.Connection, query: ReportQuery) -> ReportRows:
    """The report's rows, with the garbage collector paused while they are built."""
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
