"""The report's arithmetic: measure every act with duty ``full`` and count the verdicts
by agency, act type, officer and month. Pure, like ``coverage``; the report runs it in a
worker thread. ``verdicts`` is the one way acts are measured: the report through
``tally``, one case's or one act's coverage directly, from the same rows (integer
milliseconds from ``recording_spans``).

An act counts once in the totals, under its agency, its type and its month, and once
under **each** officer it names, so the officer rows may add up to more than the total.
The coverage rate is covered ÷ (acts − exempted); None when every act is exempted or
there are none. ``edited`` counts the acts, of any state, edited after they were
registered (revision above 1), for a supervisor to look at.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from ingest.compliance import spans
from ingest.compliance.coverage import Coverage, State, measure
from storage.compliance_records import ReportAct, ReportRows, attached_of

__all__ = ["UNLISTED", "Counts", "Finding", "Tally", "tally", "verdicts"]

UNLISTED = "（不在名册）"  # the unit of an officer the roster does not list


_COVERED, _PARTIAL, _MISSING = State.COVERED, State.PARTIAL, State.MISSING


class Counts:
    """Acts counted by state. (Compared by identity, not hashed: an enum member hashes in
    Python, and the report counts every act six times or more.)"""

    __slots__ = ("covered", "edited", "exempted", "missing", "partial", "uncovered")

    def __init__(self) -> None:
        self.covered = self.partial = self.missing = self.exempted = self.edited = 0
        self.uncovered = 0.0  # milliseconds of missing and partial acts not on footage

    def add_many(self, state: State, n: int, edited: bool) -> None:
        """``n`` acts in ``state``, all edited or none (their uncovered time apart)."""
        self.edited += n if edited else 0
        if state is _COVERED:
            self.covered += n
        elif state is _PARTIAL:
            self.partial += n
        elif state is _MISSING:
            self.missing += n
        else:
            self.exempted += n

    def add(self, state: State, edited: bool = False, uncovered: float = 0) -> None:
        self.edited += edited
        if state is _COVERED:
            self.covered += 1
        elif state is _PARTIAL:
            self.partial += 1
            self.uncovered += uncovered
        elif state is _MISSING:
            self.missing += 1
            self.uncovered += uncovered
        else:
            self.exempted += 1

    @property
    def acts(self) -> int:
        return self.covered + self.partial + self.missing + self.exempted

    @property
    def rate(self) -> float | None:
        measured = self.acts - self.exempted
        return None if measured == 0 else self.covered / measured

    def to_json(self) -> dict[str, Any]:
        rate = self.rate
        return {
            "acts": self.acts,
            "covered": self.covered,
            "partial": self.partial,
            "missing": self.missing,
            "exempted": self.exempted,
            "edited": self.edited,
            "coverage_rate": None if rate is None else round(rate, 4),
        }


class Finding:
    """An act with duty full that is missing or partial, and not exempted (times in
    milliseconds, as the report rows carry them). ``tally`` gives the act's spans instead
    of its coverage, measured when first asked: the report lists the gaps of at most
    ``limit`` cases, and measuring each failing act one by one was a third of the tally."""

    __slots__ = ("_coverage", "_spans", "_state", "_tolerance", "act")

    def __init__(
        self,
        act: ReportAct,
        coverage: Coverage | None = None,
        *,
        spans: str = "",
        state: State | None = None,
        tolerance: float = 0.0,
    ) -> None:
        self.act = act
        self._coverage, self._spans, self._state, self._tolerance = (
            coverage,
            spans,
            state,
            tolerance,
        )

    @property
    def coverage(self) -> Coverage:
        if self._coverage is None:
            act = self.act
            window = (act.started, act.ended)
            coverage = measure(window, attached_of(act, self._spans), self._tolerance)
            if coverage.state is not self._state:
                raise AssertionError(
                    f"act {act.act_id}: {coverage.state} measured, {self._state} counted"
                )
            self._coverage = coverage
        return self._coverage

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return (self.act, self.coverage) == (other.act, other.coverage)

    __hash__ = None  # type: ignore[assignment]  # compared, never hashed (it measures lazily)

    def __repr__(self) -> str:
        return f"Finding({self.act!r}, {self.coverage!r})"


@dataclass
class Tally:
    totals: Counts = field(default_factory=Counts)
    by_agency: defaultdict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_act_type: defaultdict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_officer: defaultdict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_period: defaultdict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_unit: defaultdict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    unit_of: dict[str, str] = field(default_factory=dict)  # officer id -> unit (roster)
    not_ready: defaultdict[str, list[Finding]] = field(
        default_factory=lambda: defaultdict(list)
    )  # case number -> findings

    def add(self, act: ReportAct, coverage: Coverage) -> None:
        state, edited = coverage.state, act.revision > 1
        failing = state is _MISSING or state is _PARTIAL
        gap = coverage.gap_seconds if failing else 0
        self.totals.add(state, edited, gap)
        self.by_agency[act.agency].add(state, edited, gap)
        self.by_act_type[act.act_type].add(state, edited, gap)
        self.by_period[act.period].add(state, edited, gap)
        for officer in set(act.officers):
            self.by_officer[officer].add(state, edited, gap)
        if self.unit_of:
            for unit in {self.unit_of.get(officer, UNLISTED) for officer in act.officers}:
                self.by_unit[unit].add(state, edited, gap)
        if failing:
            self.not_ready[act.case_number].append(Finding(act, coverage))


def verdicts(rows: ReportRows, tolerance_seconds: float) -> Iterator[tuple[ReportAct, Coverage]]:
    """Each act's coverage, in milliseconds as the rows carry them."""
    footage = rows.footage
    tolerance = tolerance_seconds * 1000
    for act in rows.acts:
        yield (
            act,
            measure(
                (act.started, act.ended),
                footage.get(act.act_id, ()),
                tolerance,
                exempted=act.exempted,
            ),
        )


def tally(
    rows: ReportRows, tolerance_seconds: float, unit_of: dict[str, str] | None = None
) -> Tally:
    """Count every act; with the roster's ``unit_of``, by unit too (an act counts once
    under each unit its officers belong to; officers not on the roster under UNLISTED).

    The same as ``Tally.add`` for each of ``verdicts`` (tests/compliance/test_spans.py):
    the states and uncovered time come from ``spans.measured`` all at once, acts are
    counted by group with ``Counter`` (in C), and the missing and partial acts are
    measured one by one only when the report lists their gaps (``Finding``)."""
    result = Tally(unit_of=unit_of or {})
    acts = rows.acts
    tolerance = tolerance_seconds * 1000
    codes, gaps = spans.measured(rows, tolerance)
    # Each act as one small int, its state's code plus 4 if edited: ints hash in C.
    keys = [code + 4 if act.revision > 1 else code for act, code in zip(acts, codes, strict=True)]
    for groups, keyed in _keyed(result, acts, keys):
        for (name, key), n in Counter(keyed).items():
            groups[name].add_many(spans.STATES[key & 3], n, key > 3)
    for key, n in Counter(keys).items():
        result.totals.add_many(spans.STATES[key & 3], n, key > 3)
    for act, text, code, gap in zip(acts, rows.spans, codes, gaps, strict=True):
        if code == 1 or code == 2:  # partial or missing
            state = spans.STATES[code]
            _failing(result, act, gap, Finding(act, spans=text, state=state, tolerance=tolerance))
    return result


def _keyed(
    result: Tally, acts: list[ReportAct], keys: list[int]
) -> Iterator[tuple[dict[str, Counts], Iterable[tuple[str, int]]]]:
    """Each grouping, with (group, key) once for each act and group it counts under (an
    officer named twice in an act counts once, as in ``Tally.add``)."""
    yield result.by_agency, zip(map(attrgetter("agency"), acts), keys, strict=True)
    yield result.by_act_type, zip(map(attrgetter("act_type"), acts), keys, strict=True)
    yield result.by_period, zip(map(attrgetter("period"), acts), keys, strict=True)
    every = zip(acts, keys, strict=True)
    yield result.by_officer, ((o, k) for act, k in every for o in set(act.officers))
    unit_of = result.unit_of
    if unit_of:
        units = ({unit_of.get(o, UNLISTED) for o in act.officers} for act in acts)
        yield result.by_unit, ((u, k) for us, k in zip(units, keys, strict=True) for u in us)


def _failing(result: Tally, act: ReportAct, gap: int, finding: Finding) -> None:
    result.totals.uncovered += gap
    result.by_agency[act.agency].uncovered += gap
    result.by_act_type[act.act_type].uncovered += gap
    result.by_period[act.period].uncovered += gap
    for officer in set(act.officers):
        result.by_officer[officer].uncovered += gap
    if result.unit_of:
        for unit in {result.unit_of.get(officer, UNLISTED) for officer in act.officers}:
            result.by_unit[unit].uncovered += gap
    result.not_ready[act.case_number].append(finding)
