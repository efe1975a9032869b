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
from ingest.compliance.tally import Counts, Finding, Tally, tally
from ingest.custody.flags import advice_for, flag_json
from storage.compliance_records import ReportQuery

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


def full_duty_query(catalogue: Catalogue, config: ComplianceConfig) -> ReportQuery:
    """Every act with duty full, months in the agency's offset. The report narrows it by
    its filters, a case's coverage by act ids: one builder, so the two cannot drift."""
    return ReportQuery(catalogue.codes(Duty.FULL), config.utc_offset_minutes)


async def measure_report(desk: ComplianceDesk, filters: ReportFilters) -> Measured:
    config = desk.settings
    catalogue, version = await current_catalogue(desk)
    act_type = None if filters.act_type is None else catalogue.resolve(filters.act_type)
    if act_type is not None and act_type.duty is not Duty.FULL:
        raise DutyNotFull(
            f"act type {act_type.act_type.code} ({act_type.name}) has duty {act_type.duty}; "
            "the report counts only acts whose duty is full"
        )
    query = replace(
        full_duty_query(catalogue, config),
        agency=filters.agency,
        act_type=None if act_type is None else act_type.act_type.code,
        officer=filters.officer,
        since=filters.since,
        until=filters.until,
    )
    rows = await desk.index.queries.report(query)
    counted = await asyncio.to_thread(tally, rows, config.gap_tolerance_seconds)
    return Measured(query, catalogue, version, counted)


async def build_report(
    desk: ComplianceDesk, filters: ReportFilters, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    """The report as JSON. Lists of cases and flags hold at most ``limit`` items each;
    their counts are always complete."""
    if limit < 0:
        raise BadRequest("limit cannot be negative")
    config = desk.settings
    measured = await measure_report(desk, filters)
    query, counted = measured.query, measured.counted
    return {
        "generated_at": format_time(desk.clock()),
        "catalogue_version": measured.catalogue_version,
        "tolerance_seconds": config.gap_tolerance_seconds,
        "late_upload_hours": config.late_upload_hours,
        "utc_offset_hours": config.utc_offset_hours,
        "filters": dict(filters.to_json(), act_type=query.act_type),
        "full_duty_act_types": list(query.act_types),
        **_counts(counted, measured.catalogue),
        "not_ready": _not_ready(counted, await _cases_without_acts(desk, filters), limit),
        "flags": await _flags(desk, query, limit),
    }


def _rows(groups: Mapping[str, Counts], key: str) -> list[dict[str, Any]]:
    return [{key: name, **groups[name].to_json()} for name in sorted(groups)]


def _counts(counted: Tally, catalogue: Catalogue) -> dict[str, Any]:
    by_type = _rows(counted.by_act_type, "act_type")
    for row in by_type:
        row["name"] = catalogue.entry(row["act_type"]).name
    return {
        "totals": counted.totals.to_json(),
        "by_agency": _rows(counted.by_agency, "agency"),
        "by_act_type": by_type,
        "by_officer": _rows(counted.by_officer, "officer"),
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
    """Open flags under the report's filters (see coverage_queries._flag_filter), late
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
