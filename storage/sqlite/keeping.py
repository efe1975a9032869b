"""What decides how long each recording is kept, read for the retention report
(``RecordingKeeping``): a few portable queries over one page of recordings.

A recording is its evidence id; it was stored when its first object was (``objects``). It
is attached to the case whose number it carries (the device signed it) and to the cases
of the acts a person confirmed it for (``decisions``). Holds stand on it by its evidence
id or on any of those cases.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence

from evidence.identifiers import EvidenceId
from evidence.strict_json import parse_time
from storage.hold_records import RecordingKeeping

__all__ = ["keeping"]


_OF_CASE = (
    "evidence_id IN (SELECT evidence_id FROM objects WHERE case_number = ? UNION "
    "SELECT d.evidence_id FROM decisions d JOIN acts a ON a.act_id = d.act_id "
    "WHERE d.decision = 'confirmed' AND a.case_number = ?)"
)


def _page(
    conn: sqlite3.Connection,
    ids: Sequence[str] | None,
    case_number: str | None,
    page: tuple[int, int],
) -> list[sqlite3.Row]:
    found: list[str] = []
    params: list[object] = []
    if ids is not None:
        found.append(f"evidence_id IN ({','.join('?' for _ in ids)})")
        params.extend(ids)
    if case_number is not None:
        found.append(_OF_CASE)
        params.extend((case_number, case_number))
    where = f"WHERE {' AND '.join(found)}" if found else ""
    sql = (
        "SELECT evidence_id, MIN(received_at) AS stored_at, MAX(case_number) AS carried "  # noqa: S608 -- marks only
        f"FROM objects {where} GROUP BY evidence_id "
        "ORDER BY stored_at, evidence_id LIMIT ? OFFSET ?"
    )
    return list(conn.execute(sql, (*params, *page)))


def _grouped(
    conn: sqlite3.Connection, sql: str, ids: Sequence[str]
) -> dict[str, list[tuple[str, ...]]]:
    found: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    marks = ",".join("?" for _ in ids)
    for row in conn.execute(sql.format(marks=marks), list(ids)):
        found[row[0]].append(tuple(row[1:]))
    return found


_ATTACHED = (
    "SELECT d.evidence_id, a.case_number, a.act_type FROM decisions d "
    "JOIN acts a ON a.act_id = d.act_id "
    "WHERE d.decision = 'confirmed' AND d.evidence_id IN ({marks}) "
    "ORDER BY a.case_number, a.act_type"
)
_OBJECTS = (
    "SELECT evidence_id, role, store, locator FROM objects "
    "WHERE evidence_id IN ({marks}) ORDER BY role"
)


def _holds(conn: sqlite3.Connection, evidence_id: str, cases: Sequence[str]) -> tuple[int, ...]:
    marks = ",".join("?" for _ in cases) or "NULL"
    rows = conn.execute(
        "SELECT h.hold_id FROM holds h WHERE NOT EXISTS "  # noqa: S608 -- marks only
        "(SELECT 1 FROM hold_lifts l WHERE l.hold_id = h.hold_id) "
        f"AND (h.evidence_id = ? OR h.case_number IN ({marks})) ORDER BY h.hold_id",
        (evidence_id, *cases),
    )
    return tuple(row[0] for row in rows)


def keeping(
    conn: sqlite3.Connection,
    ids: Sequence[str] | None,
    case_number: str | None,
    page: tuple[int, int],
) -> list[RecordingKeeping]:
    """One page of recordings (these ``ids``, those attached to ``case_number``, or all),
    oldest stored first."""
    rows = _page(conn, ids, case_number, page)
    shown = [row["evidence_id"] for row in rows]
    if not shown:
        return []
    attached = _grouped(conn, _ATTACHED, shown)
    objects = _grouped(conn, _OBJECTS, shown)
    kept = []
    for row in rows:
        evidence = row["evidence_id"]
        acts = tuple((case, act_type) for case, act_type in attached.get(evidence, []))
        cases = sorted({case for case, _ in acts} | ({row["carried"]} - {None}))
        kept.append(
            RecordingKeeping(
                EvidenceId(evidence),
                parse_time(row["stored_at"]),
                row["carried"],
                acts,
                _holds(conn, evidence, cases),
                tuple((role, store, locator) for role, store, locator in objects[evidence]),
            )
        )
    return kept
