"""The supervisor's report (R10's statistics, R11's input to legal review): coverage of
every act whose duty is ``full``, counted by agency, act type, officer and month; the
coverage rate; the cases not ready for legal review; and the open flags, each with what
to do about it. See docs/compliance.md for every field."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from evidence.catalogue import Catalogue, Duty
from evidence.errors import BadRequest, DutyNotFull
from evidence.strict_json import format_time
from ingest.compliance import views
from ingest.compliance.catalogues import current_catalogue
from ingest.compliance.config import ComplianceConfig
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.officers import roster
from ingest.compliance.tally import Counts, Finding, Tally, tally
from ingest.compliance.weak_links import (
    as_needed_json,
    exemptions_json,
    late_uploads_json,
    rankings,
    trend,
)
from ingest.custody.flags import advice_for, flag_json
from runtime.gc_pause import gc_paused
from storage.compliance_records import OfficerRecord, ReportQuery, ReportRows

__all__ = ["Measured", "ReportFilters", "build_report", "full_duty_query", "measure_report"]

DEFAULT_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class ReportFilters:
    agency: str | None = None
    act_type: str | None = None
    officer: str | None = None
    since: datetime | None = None  # acts starting at or after
    until: datetime | None = None  # acts starting before

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "act_type": self.act_type,
            "officer": self.officer,
            "since": None if self.since is None else format_time(self.since),
            "until": None if self.until is None else format_time(self.until),
        }


@dataclass(frozen=True, slots=True)
class Measured:
    """What the report counts: every selected act with duty full, measured."""

    query: ReportQuery
    catalogue: Catalogue
    catalogue_version: int | None
    counted: Tally
    officers: dict[str, OfficerRecord]


def full_duty_query(catalogue: Catalogue, config: ComplianceConfig) -> ReportQuery:
    """Every act with duty full, months in the agency's offset. The report narrows it by
    its filters, a case's coverage by act ids: one builder, so the two cannot drift."""
    return ReportQuery(catalogue.codes(Duty.FULL), config.utc_offset_minutes)


async def _select(
    desk: ComplianceDesk, filters: ReportFilters
) -> tuple[Catalogue, int | None, ReportQuery]:
    catalogue, version = await current_catalogue(desk)
    act_type = None if filters.act_type is None else catalogue.resolve(filters.act_type)
    if act_type is not None and act_type.duty is not Duty.FULL:
        raise DutyNotFull(
            f"act type {act_type.act_type.code} ({act_type.name}) has duty {act_type.duty}; "
            "the report counts only acts whose duty is full"
        )
    query = replace(
        full_duty_query(catalogue, desk.settings),
        agency=filters.agency,
        act_type=None if act_type is None else act_type.act_type.code,
        officer=filters.officer,
        since=filters.since,
        until=filters.until,
    )
    return catalogue, version, query


def _counted(rows: ReportRows, tolerance: float, unit_of: dict[str, str]) -> Tally:
    with gc_paused():  # every act's verdict stays alive until the report is made
        return tally(rows, tolerance, unit_of)


async def _measure(
    desk: ComplianceDesk,
    selected: tuple[Catalogue, int | None, ReportQuery],
    officers: dict[str, OfficerRecord],
) -> Measured:
    """Query, then tally in a worker thread: the index is free for other queries as soon
    as the rows are out."""
    catalogue, version, query = selected
    rows = await desk.index.queries.report(query)
    unit_of = {number: officer.unit for number, officer in officers.items() if officer.unit}
    tolerance = desk.settings.gap_tolerance_seconds
    counted = await asyncio.to_thread(_counted, rows, tolerance, unit_of)
    return Measured(query, catalogue, version, counted, officers)


async def measure_report(desk: ComplianceDesk, filters: ReportFilters) -> Measured:
    return await _measure(desk, await _select(desk, filters), await roster(desk))


async def build_report(
    desk: ComplianceDesk,
    filters: ReportFilters,
    limit: int = DEFAULT_LIMIT,
    threshold: float | None = None,
) -> dict[str, Any]:
    """The report as JSON; lists of cases and flags hold at most ``limit`` items each (the
    counts are complete). ``threshold``: the rate under which a ranked group is weak."""
    if limit < 0:
        raise BadRequest("limit cannot be negative")
    config = desk.settings
    weak = _threshold(config, threshold)
    selected = await _select(desk, filters)
    query = selected[2]
    # The tally runs in a worker thread while the index answers the other sections.
    measured, links, empty, flags = await asyncio.gather(
        _measure(desk, selected, await roster(desk)),
        _weak_links(desk, query, selected[0]),
        _cases_without_acts(desk, filters),
        _flags(desk, query, limit),
    )
    counted = measured.counted
    late = late_uploads_json(links.pop("late"), measured.officers)
    return {
        "generated_at": format_time(desk.clock()),
        "catalogue_version": measured.catalogue_version,
        "tolerance_seconds": config.gap_tolerance_seconds,
        "late_upload_hours": config.late_upload_hours,
        "utc_offset_hours": config.utc_offset_hours,
        "threshold": weak,
        "filters": dict(filters.to_json(), act_type=query.act_type),
        "full_duty_act_types": list(query.act_types),
        **_counts(counted, measured.catalogue, measured.officers),
        "rankings": rankings(counted, measured.catalogue, measured.officers, weak),
        "trend": trend(counted),
        **links,
        "late_uploads": late,
        "not_ready": _not_ready(counted, empty, limit),
        "flags": flags,
    }


def _threshold(config: ComplianceConfig, asked: float | None) -> float:
    weak = config.weak_coverage_rate if asked is None else asked
    if not 0 <= weak <= 1:
        raise BadRequest("threshold is a coverage rate from 0 to 1")
    return weak


async def _weak_links(
    desk: ComplianceDesk, query: ReportQuery, catalogue: Catalogue
) -> dict[str, Any]:
    """Exemptions and late uploads under the report's filters (late uploads as rows, named
    once the roster is read), and the acts whose duty is as-needed that the same filters
    select (the type filter names a full-duty type, so it selects none of them)."""
    links = desk.index.weak_links
    as_needed = replace(query, act_types=catalogue.codes(Duty.AS_NEEDED))
    selected = [] if query.act_type is not None else await links.as_needed(as_needed)
    return {
        "exemptions": exemptions_json(await links.exemptions(query)),
        "late": await links.late_uploads(query),
        "as_needed": as_needed_json(selected, catalogue),
    }


def _rows(groups: Mapping[str, Counts], key: str) -> list[dict[str, Any]]:
    return [{key: name, **groups[name].to_json()} for name in sorted(groups)]


def _counts(
    counted: Tally, catalogue: Catalogue, officers: Mapping[str, OfficerRecord]
) -> dict[str, Any]:
    by_type = _rows(counted.by_act_type, "act_type")
    for row in by_type:
        row["name"] = catalogue.entry(row["act_type"]).name
    by_officer = _rows(counted.by_officer, "officer")
    for row in by_officer:
        listed = officers.get(row["officer"])
        row["name"], row["unit"] = (None, None) if listed is None else (listed.name, listed.unit)
    return {
        "totals": counted.totals.to_json(),
        "by_agency": _rows(counted.by_agency, "agency"),
        "by_act_type": by_type,
        "by_officer": by_officer,
        "by_unit": _rows(counted.by_unit, "unit"),
        "by_period": _rows(counted.by_period, "period"),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    act, coverage = finding.act, finding.coverage
    return {  # the rows are in milliseconds
        "act_id": act.act_id,
        "act_type": act.act_type,
        "revision": act.revision,
        "edited": act.revision > 1,
        "started_at": views.at(act.started),
        "ended_at": views.at(act.ended),
        "state": coverage.state.value,
        "gap_seconds": round(coverage.gap_seconds / 1000, 3),
        "gaps": views.gaps_json(coverage),
        "advice": views.ADVICE.get(coverage.state),
    }


def _not_ready(counted: Tally, empty: list[tuple[str, str]], limit: int) -> dict[str, Any]:
    """Cases with a missing or partial act among the selected, and cases with no act."""
    cases: dict[str, tuple[str, list[Finding]]] = {
        number: (findings[0].act.agency, findings) for number, findings in counted.not_ready.items()
    }
    cases.update((number, (agency, [])) for number, agency in empty)
    return {
        "count": len(cases),
        "cases": [
            {
                "case_number": number,
                "agency": cases[number][0],
                "not_ready_reasons": views.not_ready_reasons(
                    len(cases[number][1]),
                    [(f.act.act_id, f.coverage.state) for f in cases[number][1]],
                ),
                "acts": [_finding(finding) for finding in cases[number][1]],
            }
            for number in sorted(cases)[:limit]
        ],
    }


async def _cases_without_acts(
    desk: ComplianceDesk, filters: ReportFilters
) -> list[tuple[str, str]]:
    """Cases with no act are not ready for legal review; they can be selected only by
    agency, so they are listed when no filter on acts (type, officer, since, until) is set."""
    if any(
        v is not None for v in (filters.act_type, filters.officer, filters.since, filters.until)
    ):
        return []
    return await desk.index.queries.cases_without_acts(filters.agency)


async def _flags(desk: ComplianceDesk, query: ReportQuery, limit: int) -> dict[str, Any]:
    """Open flags under the report's filters (see storage/sqlite/report_filters.flag_filter), late
    uploads among them: those are raised at finalize, and resolved like any flag."""
    kinds, items = await desk.index.queries.open_flags(query, limit)
    return {
        "count": sum(kinds.values()),
        "by_kind": [
            {"kind": kind, "count": kinds[kind], "advice": advice_for(kind)}
            for kind in sorted(kinds)
        ],
        "items": [flag_json(flag) for flag in items],
    }
