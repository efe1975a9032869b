"""One case's or one act's coverage, assembled for a person: the acts, the footage that
covers them, the gaps, standing exemptions, and whether the case is ready for legal
review (R11: no act with duty ``full`` is missing or partial unless exempted; and a case
with no act registered is not ready either).

Coverage is measured exactly as the report measures it: the report's query, limited to
these acts, and ``tally.verdicts`` over its integer milliseconds. The recordings listed
with each act come from the index by the same overlap rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from evidence.catalogue import CatalogueEntry
from ingest.compliance import views
from ingest.compliance.act_matching import suggestions_for
from ingest.compliance.acts import get_act, get_case
from ingest.compliance.catalogues import current_catalogue
from ingest.compliance.coverage import Coverage, State
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.report import full_duty_query
from ingest.compliance.tally import verdicts
from storage.compliance_records import ActRecord, ExemptionRecord, Footage

__all__ = ["Assessed", "act_detail", "assess", "case_coverage"]

NOT_READY = (State.MISSING, State.PARTIAL)


@dataclass(frozen=True, slots=True)
class Assessed:
    act: ActRecord
    entry: CatalogueEntry
    coverage: Coverage | None  # in milliseconds; None unless the duty is full
    footage: list[Footage]
    exemptions: list[ExemptionRecord]


async def assess(desk: ComplianceDesk, acts: list[ActRecord]) -> list[Assessed]:
    catalogue, _ = await current_catalogue(desk)
    config = desk.settings
    ids = [act.act_id for act in acts]
    queries = desk.index.queries
    rows = await queries.report(replace(full_duty_query(catalogue, config), act_ids=tuple(ids)))
    measured = {
        act.act_id: coverage for act, coverage in verdicts(rows, config.gap_tolerance_seconds)
    }
    attached: dict[int, list[Footage]] = defaultdict(list)
    for footage in await queries.attached(ids):
        attached[footage.act_id].append(footage)
    exemptions: dict[int, list[ExemptionRecord]] = defaultdict(list)
    for exemption in await desk.index.exemptions.of_acts(ids):
        exemptions[exemption.act_id].append(exemption)
    return [
        Assessed(
            act,
            catalogue.entry(act.values.act_type),
            measured.get(act.act_id),
            attached[act.act_id],
            exemptions[act.act_id],
        )
        for act in acts
    ]


def _assessed_json(item: Assessed, tolerance: float) -> dict[str, Any]:
    shown = views.act_json(item.act, item.entry)
    shown["coverage"] = (
        None if item.coverage is None else views.coverage_json(item.coverage, tolerance)
    )
    shown["recordings"] = [views.footage_json(footage) for footage in item.footage]
    shown["exemptions"] = [views.exemption_json(exemption) for exemption in item.exemptions]
    return shown


async def case_coverage(desk: ComplianceDesk, case_number: str) -> dict[str, Any]:
    case = await get_case(desk, case_number)
    acts = await desk.index.cases.acts_of(case.case_number)
    assessed = await assess(desk, acts)
    blocking = [
        (item.act.act_id, item.coverage.state)
        for item in assessed
        if item.coverage is not None and item.coverage.state in NOT_READY
    ]
    reasons = views.not_ready_reasons(len(acts), blocking)
    tolerance = desk.settings.gap_tolerance_seconds
    return {
        "case": views.case_json(case),
        "ready_for_review": not reasons,
        "not_ready_reasons": reasons,
        "blocking_acts": [act_id for act_id, _ in blocking],
        "edited_acts": sum(act.revision > 1 for act in acts),
        "acts": [_assessed_json(item, tolerance) for item in assessed],
    }


async def act_detail(desk: ComplianceDesk, act_id: int) -> dict[str, Any]:
    """One act with its coverage, its standing suggestions, every decision on it and its
    full edit history."""
    act = await get_act(desk, act_id)
    [item] = await assess(desk, [act])
    shown = _assessed_json(item, desk.settings.gap_tolerance_seconds)
    shown["suggestions"] = [views.suggestion_json(s) for s in await suggestions_for(desk, [act])]
    shown["decisions"] = [views.decision_json(d) for d in await desk.index.decisions.of_act(act_id)]
    shown["history"] = [
        views.change_json(change) for change in await desk.index.cases.history(act_id)
    ]
    return shown
