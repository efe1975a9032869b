"""Which acts and which open flags a compliance report selects, as SQL ``WHERE`` clauses
with their parameters. The report's query, its flags and its weak links (``weak_links``)
all select by these, so the sections agree with the counts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from storage.compliance_records import ReportQuery
from storage.sqlite.dialect import Dialect
from storage.sqlite.rows import when

# A filter's terms: (SQL clause, parameter name, value); a term whose value is None (its
# filter not set) is left out.
Terms = Iterable[tuple[str, str, object]]


def set_terms(terms: Terms) -> tuple[list[str], dict[str, Any]]:
    """The clauses of the terms whose filter is set, and their parameters by name."""
    kept = [(clause, key, value) for clause, key, value in terms if value is not None]
    return [clause for clause, _, _ in kept], {key: value for _, key, value in kept}


def report_filter(d: Dialect, query: ReportQuery) -> tuple[str, dict[str, Any]]:
    """The acts under the report's filters (``a`` is the act, ``c`` its case)."""
    act_ids = None if query.act_ids is None else json.dumps(query.act_ids)
    clauses, params = set_terms(
        (
            ("c.agency = :agency", "agency", query.agency),
            ("a.act_type = :act_type", "act_type", query.act_type),
            (f":officer IN ({d.texts_in('a.officers')})", "officer", query.officer),
            ("a.started_at >= :since", "since", when(query.since)),
            ("a.started_at < :until", "until", when(query.until)),
            (f"a.act_id IN ({d.ints_in(':act_ids')})", "act_ids", act_ids),
        )
    )
    types = f"a.act_type IN ({d.texts_in(':types')})"
    return " AND ".join([types, *clauses]), {"types": json.dumps(query.act_types), **params}


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
    clauses, params = set_terms(recording_terms(query))
    recording = " AND ".join(["o.evidence_id IS NOT NULL", *clauses])
    device = "o.evidence_id IS NULL" if query.agency is None and query.officer is None else "FALSE"
    return f"f.resolved_at IS NULL AND (({recording}) OR {device})", params, True


def recording_terms(query: ReportQuery) -> Terms:
    """A flag follows its stored recording (``o``): the agency of its case (``c``), its
    capturing officer, its capture start."""
    return (
        ("c.agency = :agency", "agency", query.agency),
        ("o.officer_id = :officer", "officer", query.officer),
        ("o.started_at >= :since", "since", when(query.since)),
        ("o.started_at < :until", "until", when(query.until)),
    )
