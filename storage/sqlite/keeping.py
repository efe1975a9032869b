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

__all__ = ["keeping", "sharing"]


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


def _standing(
    conn: sqlite3.Connection, ids: Sequence[str], cases: Sequence[str]
) -> list[tuple[int, str | None, str | None]]:
    """The standing holds on any of these recordings or cases, in one query for the
    page (hold id, case number, evidence id)."""
    on_ids = ",".join("?" for _ in ids)
    on_cases = ",".join("?" for _ in cases) or "NULL"
    rows = conn.execute(
        "SELECT h.hold_id, h.case_number, h.evidence_id FROM holds h "  # noqa: S608 -- marks only
        "LEFT JOIN hold_lifts l ON l.hold_id = h.hold_id WHERE l.hold_id IS NULL "
        f"AND (h.evidence_id IN ({on_ids}) OR h.case_number IN ({on_cases})) "
        "ORDER BY h.hold_id",
        (*ids, *cases),
    )
    return [(row[0], row[1], row[2]) for row in rows]


def _holds_of(
    standing: Sequence[tuple[int, str | None, str | None]], evidence_id: str, cases: Sequence[str]
) -> tuple[int, ...]:
    return tuple(
        hold for hold, case, evidence in standing if evidence == evidence_id or case in cases
    )


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
    cases_of = {
        row["evidence_id"]: sorted(
            {case for case, _ in attached.get(row["evidence_id"], [])} | ({row["carried"]} - {None})
        )
        for row in rows
    }
    standing = _standing(conn, shown, sorted({c for cases in cases_of.values() for c in cases}))
    kept = []
    for row in rows:
        evidence = row["evidence_id"]
        acts = tuple((case, act_type) for case, act_type in attached.get(evidence, []))
        kept.append(
            RecordingKeeping(
                EvidenceId(evidence),
                parse_time(row["stored_at"]),
                row["carried"],
                acts,
                _holds_of(standing, evidence, cases_of[evidence]),
                tuple((role, store, locator) for role, store, locator in objects[evidence]),
            )
        )
    return kept


def sharing(
    conn: sqlite3.Connection, store: str, locators: Sequence[str]
) -> dict[str, list[EvidenceId]]:
    """Every recording whose objects in ``store`` are at these locators: a content-addressed
    object is one for the same bytes stored twice (``objects_by_locator``)."""
    if not locators:
        return {}
    marks = ",".join("?" for _ in locators)
    found: dict[str, list[EvidenceId]] = defaultdict(list)
    rows = conn.execute(
        "SELECT DISTINCT locator, evidence_id FROM objects "  # noqa: S608 -- marks only
        f"WHERE store = ? AND locator IN ({marks}) ORDER BY locator, evidence_id",
        (store, *locators),
    )
    for locator, evidence_id in rows:
        found[locator].append(EvidenceId(evidence_id))
    return dict(found)
