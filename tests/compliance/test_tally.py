"""The report's arithmetic, without a database: counts, the rate, officers, readiness."""

import pytest

from ingest.compliance.coverage import State
from ingest.compliance.tally import Counts, tally, verdicts
from storage.compliance_records import ReportAct, ReportRows


def act(
    act_id, case="A", agency="甲局", officers=("o1",), exempted=False, period="2026-03", revision=1
):
    return ReportAct(
        act_id, case, agency, "seizure", 0, 600_000, period, officers, exempted, revision
    )


def test_the_rate_leaves_exempted_acts_out_of_the_denominator():
    counts = Counts()
    for state in (State.COVERED, State.COVERED, State.PARTIAL, State.MISSING, State.EXEMPTED):
        counts.add(state)
    assert counts.to_json() == {
        "acts": 5,
        "covered": 2,
        "partial": 1,
        "missing": 1,
        "exempted": 1,
        "edited": 0,
        "coverage_rate": 0.5,
    }


@pytest.mark.parametrize("states", [[], [State.EXEMPTED, State.EXEMPTED]])
def test_no_rate_when_nothing_is_measured(states):
    counts = Counts()
    for state in states:
        counts.add(state)
    assert counts.rate is None


def test_acts_count_once_per_officer_and_missing_or_partial_cases_are_not_ready():
    rows = ReportRows.of(
        [
            act(1, officers=("o1", "o2", "o1")),
            act(2, case="B", officers=("o2",), revision=3),
            act(3, case="C", exempted=True, period="2026-04"),
            act(4, case="D", agency="乙局"),
        ],
        {1: [(0, 600_000)], 2: [(0, 300_000)], 4: [(0, 595_000)]},  # milliseconds
    )
    result = tally(rows, 5.0)
    assert result.totals.to_json()["coverage_rate"] == round(2 / 3, 4)
    assert {name: c.acts for name, c in result.by_officer.items()} == {"o1": 3, "o2": 2}
    assert {name: c.acts for name, c in result.by_period.items()} == {"2026-03": 3, "2026-04": 1}
    assert {name: c.covered for name, c in result.by_agency.items()} == {
        "甲局": 1,
        "乙局": 1,
    }
    assert sorted(result.not_ready) == ["B"]
    assert result.not_ready["B"][0].coverage.gaps == ((300_000, 600_000),)
    assert {a.act_id: coverage.state for a, coverage in verdicts(rows, 5.0)} == {
        1: State.COVERED,
        2: State.PARTIAL,
        3: State.EXEMPTED,
        4: State.COVERED,
    }
    # Act 2 was edited after registration: counted as edited wherever it is counted.
    assert (
        result.totals.edited,
        result.by_officer["o2"].edited,
        result.by_officer["o1"].edited,
    ) == (
        1,
        1,
        0,
    )
