"""Which acts and which open flags a compliance report selects, as SQL ``WHERE`` clauses
with their parameters. The report's query, its flags and its weak links (``weak_links``)
all select by these, so the sections agree with the counts."""

from __future__ import annotations

import json
from typing import Any

from storage.compliance_records import ReportQuery
from storage.sqlite.dialect import Dialect
from storage.sqlite.rows import when


def report_filter(d: Dialect, query: ReportQuery) -> tuple[str, dict[str, Any]]:
    """The acts under the report's filters (``a`` is the act, ``c`` its case)."""
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


def flag_filter(query: ReportQuery) -> tuple[str, dict[str, Any], bool]:
    """Open flags that fall under the report's filters. A flag about a stored recording
    (a late upload, a failed verification) follows the recording: the agency of its case
    (a recording whose case is not registered only without an agency filter), its officer,
    its capture start for since/until. A flag about no stored recording (a sequence gap:
    footage that never arrived) can be placed under no agency or officer, so it is
    counted only when neither filter is set. The act type filter does not apply.

    The third item says whether the flags' recordings need joining: not when no filter
    names one, as every open flag counts then (a sum over twenty thousand joins of
    ``objects`` and ``cases`` was nearly all the flags' time)."""
    if all(v is None for v in (query.agency, query.officer, query.since, query.until)):
        return "f.resolved_at IS NULL", {}, False
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
    return f"f.resolved_at IS NULL AND (({' AND '.join(recording)}) OR {device})", params, True
