"""The report's arithmetic: measure every act with duty ``full`` and count the verdicts
by agency, act type, officer and month. Pure, like ``coverage``; the report runs it in a
worker thread.

An act counts once in the totals, under its agency, its type and its month, and once
under **each** officer it names, so the officer rows may add up to more than the total.
The coverage rate is covered ÷ (acts − exempted); None when every act is exempted or
there are none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ingest.compliance.coverage import Coverage, State, measure
from storage.compliance_records import ReportAct, ReportRows

__all__ = ["Counts", "Finding", "Tally", "tally"]


@dataclass
class Counts:
    acts: int = 0
    covered: int = 0
    partial: int = 0
    missing: int = 0
    exempted: int = 0

    def add(self, state: State) -> None:
        self.acts += 1
        setattr(self, state.value, getattr(self, state.value) + 1)

    @property
    def rate(self) -> float | None:
        measured = self.acts - self.exempted
        return None if measured == 0 else self.covered / measured

    def to_json(self) -> dict[str, Any]:
        return {
            "acts": self.acts,
            "covered": self.covered,
            "partial": self.partial,
            "missing": self.missing,
            "exempted": self.exempted,
            "coverage_rate": None if self.rate is None else round(self.rate, 4),
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """An act with duty full that is missing or partial, and not exempted."""

    act: ReportAct
    coverage: Coverage


@dataclass
class Tally:
    totals: Counts = field(default_factory=Counts)
    by_agency: defaultdict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_act_type: defaultdict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_officer: defaultdict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_period: defaultdict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    not_ready: defaultdict[str, list[Finding]] = field(
        default_factory=lambda: defaultdict(list)
    )  # case number -> findings

    def add(self, act: ReportAct, coverage: Coverage) -> None:
        state = coverage.state
        self.totals.add(state)
        self.by_agency[act.agency].add(state)
        self.by_act_type[act.act_type].add(state)
        self.by_period[act.period].add(state)
        for officer in set(act.officers):
            self.by_officer[officer].add(state)
        if state is State.MISSING or state is State.PARTIAL:
            self.not_ready[act.case_number].append(Finding(act, coverage))


def tally(rows: ReportRows, tolerance: float) -> Tally:
    result = Tally()
    footage = rows.footage
    for act in rows.acts:
        coverage = measure(
            (act.started, act.ended), footage.get(act.act_id, ()), tolerance, exempted=act.exempted
        )
        result.add(act, coverage)
    return result
