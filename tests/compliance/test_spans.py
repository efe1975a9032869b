"""The report's fast path (spans.states all at once, tally by Counter) against the
reference, one act at a time (coverage.measure through tally.verdicts, then Tally.add),
on random acts: windows of any length, recordings before, across, inside and after them,
points, duplicates, out of order, holes just under, at and over the tolerance."""

import random

import pytest

from ingest.compliance import spans
from ingest.compliance.tally import Tally, tally, verdicts
from storage.compliance_records import ReportAct, ReportRows

TOLERANCE = 5.0  # seconds; the rows are in milliseconds


def _recordings(rng: random.Random, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    cursor = a - rng.choice((0, 0, 3000, 10_000))
    while cursor < b + 10_000 and len(out) < 12:
        start = cursor + rng.choice((-2000, 0, 0, 1, 4999, 5000, 5001, 30_000))
        end = start + rng.choice((0, 1, 1000, 60_000, 200_000))
        out.append((start, end))
        cursor = end
    if out and rng.random() < 0.3:
        out.append(rng.choice(out))  # the same recording twice (by case and confirmed)
    if rng.random() < 0.3:
        rng.shuffle(out)
    return out if rng.random() < 0.9 else []


def _rows(seed: int, size: int) -> ReportRows:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    acts, footage = [], {}
    for act_id in range(1, size + 1):
        a = 1_700_000_000_000 + rng.randrange(0, 10**9)
        b = a + rng.choice((0, 1, 5000, 5001, 60_000, 600_000, 3_600_000))
        officers = tuple(rng.choices(("o1", "o2", "o3", "o4"), k=rng.randrange(0, 4)))
        acts.append(
            ReportAct(
                act_id,
                f"C{rng.randrange(20)}",
                rng.choice(("甲局", "乙局", "丙局")),
                rng.choice(("seizure", "inspection")),
                a,
                b,
                rng.choice(("2026-01", "2026-02", "2026-03")),
                officers,
                rng.random() < 0.1,
                rng.choice((1, 1, 1, 2)),
            )
        )
        footage[act_id] = _recordings(rng, a, b)
    return ReportRows.of(acts, footage)


def _reference(rows: ReportRows, unit_of: dict[str, str]) -> Tally:
    result = Tally(unit_of=unit_of)
    for act, coverage in verdicts(rows, TOLERANCE):
        result.add(act, coverage)
    return result


def _plain(tallied: Tally) -> dict[str, object]:
    """Every count, group order and finding, as values to compare."""

    def counts(c):
        return (c.covered, c.partial, c.missing, c.exempted, c.edited, c.uncovered)

    groups = ("by_agency", "by_act_type", "by_officer", "by_period", "by_unit")
    return {
        "totals": counts(tallied.totals),
        **{g: [(k, counts(v)) for k, v in getattr(tallied, g).items()] for g in groups},
        "not_ready": list(tallied.not_ready.items()),
    }


@pytest.mark.parametrize("seed", range(40))
def test_the_fast_tally_equals_the_reference_on_random_acts(seed):
    rows = _rows(seed, 150)
    unit_of = {"o1": "一中队", "o2": "二中队"} if seed % 2 else {}
    expected = [coverage.state for _, coverage in verdicts(rows, TOLERANCE)]
    assert spans.states(rows, TOLERANCE * 1000) == expected
    assert len(set(expected)) > 2, "the random acts reach several states"
    assert _plain(tally(rows, TOLERANCE, unit_of)) == _plain(_reference(rows, unit_of))


def test_the_rows_give_back_the_recordings_they_were_made_from():
    rows = _rows(7, 50)
    again = ReportRows.of(rows.acts, rows.footage)
    assert again == rows
    assert any(text.startswith("-") for text in rows.spans), "some start before their act"


@pytest.mark.parametrize(
    ("window", "recording", "error"),
    [((600_000, 0), (0, 1), "cannot end"), ((0, 600_000), (500, 100), "cannot end")],
)
def test_bad_times_raise_as_the_reference_does(window, recording, error):
    act = ReportAct(1, "C", "甲局", "seizure", *window, "2026-01", (), False, 1)
    rows = ReportRows.of([act], {1: [recording]})
    with pytest.raises(ValueError, match=error):
        spans.states(rows, 5000)
    with pytest.raises(ValueError, match=error):
        tally(rows, 5.0)


def test_no_acts_no_states():
    assert spans.states(ReportRows([], []), 5000) == []
    assert tally(ReportRows([], []), 5.0).totals.acts == 0
