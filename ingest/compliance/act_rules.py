"""Rules about acts and the report that the index also computes in SQL: when two
statements describe the same act, when an exemption stands, which acts and flags a report
selects, and under which month.
Pure: the reference that tests/storage/test_rules_agree.py checks the index against
(``storage/sqlite/cases.py`` ``_same_act``; ``coverage_queries.py``
``_STANDING_EXEMPTION``, ``_report_filter`` and ``_flag_filter``; ``weak_links.py``
``_STANDING`` and ``_late_filter``;
``decisions.py``'s ``lapsed`` and ``already_exempted``).

1. **The same act**: within one case, an act stated with a reference (the case system's
   own id for it) is the held act with that reference; one stated without is the held
   act of the same type, start and end (the first registered, should there be several).
   Stated again with the same values it is a no-op; with others, a conflict.
2. **A standing exemption**: not withdrawn, and the act is still at the revision it was
   entered for. Any edit of the act lapses it (kept, no longer standing).
3. **The report's acts**: of the query's act types; of its agency, act type and officer
   when given; starting at or after ``since`` and before ``until``; among ``act_ids``
   when given. Each is counted under the month of its start in the query's UTC offset.
4. **The report's flags** follow the stored recording each is about: the agency of its
   case (a recording without a registered case is selected only without an agency
   filter), its capturing officer, its signed capture start for ``since`` and ``until``.
   A flag about no stored recording (footage that never arrived) can be placed under no
   agency or officer: it is selected only when neither filter is set. The act type
   filter does not apply. (Open flags for the list; late uploads open or resolved.)
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from storage.compliance_records import ActValues, ReportQuery

__all__ = ["exemption_stands", "flag_selected", "period", "same_act", "selected"]


def same_act(held: ActValues, stated: ActValues) -> bool:
    """Rule 1: whether ``stated`` describes the act held as ``held``."""
    if held.case_number != stated.case_number:
        return False
    if stated.reference is not None:
        return held.reference == stated.reference
    return (held.act_type, held.started_at, held.ended_at) == (
        stated.act_type,
        stated.started_at,
        stated.ended_at,
    )


def exemption_stands(entered_for: int, act_revision: int, *, withdrawn: bool) -> bool:
    """Rule 2: ``entered_for`` is the act's revision the exemption names."""
    return not withdrawn and entered_for == act_revision


def selected(query: ReportQuery, act_id: int, act: ActValues, agency: str) -> bool:
    """Rule 3: whether the report ``query`` counts the act (of a case of ``agency``)."""
    return (
        act.act_type in query.act_types
        and query.agency in (None, agency)
        and query.act_type in (None, act.act_type)
        and (query.officer is None or query.officer in act.officers)
        and (query.since is None or act.started_at >= query.since)
        and (query.until is None or act.started_at < query.until)
        and (query.act_ids is None or act_id in query.act_ids)
    )


def period(started_at: datetime, utc_offset_minutes: int) -> str:
    """Rule 3: the month (YYYY-MM) an act starting at ``started_at`` counts under."""
    zone = timezone(timedelta(minutes=utc_offset_minutes))
    return started_at.astimezone(zone).strftime("%Y-%m")


def flag_selected(
    query: ReportQuery,
    *,
    stored: bool,
    agency: str | None = None,
    officer: str | None = None,
    started_at: datetime | None = None,
) -> bool:
    """Rule 4: whether the report ``query`` counts a flag; ``stored``: it is about a stored
    original, captured by ``officer`` from ``started_at``, of a case of ``agency`` (None:
    no case, or one not registered)."""
    if not stored:
        return query.agency is None and query.officer is None
    return (
        query.agency in (None, agency)
        and query.officer in (None, officer)
        and (query.since is None or (started_at is not None and started_at >= query.since))
        and (query.until is None or (started_at is not None and started_at < query.until))
    )
