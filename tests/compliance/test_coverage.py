"""Coverage rules as a table: one act window, the recordings attached to it, the verdict.
No event loop, no database: ingest/compliance/coverage.py is pure. Which recordings are
attached (they overlap the window) is the index's rule, with a table of its own in
tests/storage/test_compliance_store.py."""

import dataclasses

import pytest

from ingest.compliance.coverage import State, measure

WINDOW = (0.0, 600.0)  # a ten-minute seizure
TOLERANCE = 5.0

COVERED, PARTIAL, MISSING, EXEMPTED = State.COVERED, State.PARTIAL, State.MISSING, State.EXEMPTED

# name, recordings, exempted, state, gaps
TABLE = [
    ("one recording from start to end", [(0, 600)], False, COVERED, []),
    ("a recording that straddles the whole window", [(-100, 700)], False, COVERED, []),
    (
        "a recording that straddles the start, then stops",
        [(-100, 300)],
        False,
        PARTIAL,
        [(300, 600)],
    ),
    (
        "a recording that starts inside and straddles the end",
        [(200, 900)],
        False,
        PARTIAL,
        [(0, 200)],
    ),
    ("no recording at all", [], False, MISSING, [(0, 600)]),
    ("back-to-back recordings that touch", [(0, 300), (300, 600)], False, COVERED, []),
    ("split files a second apart", [(0, 300), (301, 600)], False, COVERED, []),
    ("a hole exactly as long as the tolerance", [(0, 300), (305, 600)], False, COVERED, []),
    ("a hole longer than the tolerance", [(0, 300), (320, 600)], False, PARTIAL, [(300, 320)]),
    ("overlapping recordings from two officers", [(0, 400), (200, 600)], False, COVERED, []),
    (
        "two officers overlap, then both stop",
        [(0, 400), (100, 200), (450, 600)],
        False,
        PARTIAL,
        [(400, 450)],
    ),
    ("given out of order", [(300, 600), (0, 300)], False, COVERED, []),
    (
        "clock skew within the tolerance: starts 3 s late, ends 2 s early",
        [(3, 598)],
        False,
        COVERED,
        [],
    ),
    ("clock skew within the tolerance: a clock 4 s fast", [(4, 604)], False, COVERED, []),
    ("clock skew beyond the tolerance: starts 8 s late", [(8, 600)], False, PARTIAL, [(0, 8)]),
    ("clock skew beyond the tolerance: ends 9 s early", [(0, 591)], False, PARTIAL, [(591, 600)]),
    ("a recording whose end is unknown covers no time", [(100, 100)], False, PARTIAL, [(0, 600)]),
    ("a point does not split a gap", [(0, 100), (300, 300)], False, PARTIAL, [(100, 600)]),
    (
        "a point before real footage: no time, and the footage after it still counts",
        [(100, 100), (300, 600)],
        False,
        PARTIAL,
        [(0, 300)],
    ),
    (
        "a point at the start, then footage within the tolerance",
        [(0, 0), (4, 600)],
        False,
        COVERED,
        [],
    ),
    (
        "a recording that overlaps only the first 3 s (the previous act's, running on)",
        [(-300, 3)],
        False,
        PARTIAL,
        [(3, 600)],
    ),
    ("a point at the window's start: footage, but no time", [(0, 0)], False, PARTIAL, [(0, 600)]),
    ("exempted with no footage: the hole is still shown", [], True, EXEMPTED, [(0, 600)]),
    ("exempted although covered", [(0, 600)], True, EXEMPTED, []),
    ("exempted and partial", [(0, 300)], True, EXEMPTED, [(300, 600)]),
]


@pytest.mark.parametrize(
    ("recordings", "exempted", "state", "gaps"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_coverage_table(recordings, exempted, state, gaps):
    result = measure(WINDOW, recordings, TOLERANCE, exempted=exempted)
    assert result.state is state
    assert [list(gap) for gap in result.gaps] == [list(gap) for gap in gaps]
    assert result.footage == len(recordings)


@pytest.mark.parametrize(
    ("recordings", "recorded"),
    [
        ([(0, 400), (200, 600)], 600),
        ([(0, 300), (301, 600)], 599),
        ([(-100, 50), (40, 60), (590, 9000)], 70),
        ([(100, 100)], 0),
    ],
)
def test_recorded_seconds_are_the_union_inside_the_window(recordings, recorded):
    assert measure(WINDOW, recordings, TOLERANCE).recorded == recorded


def test_gap_seconds_add_up():
    result = measure(WINDOW, [(10, 100), (200, 500)], TOLERANCE)
    assert result.gaps == ((0, 10), (100, 200), (500, 600))
    assert result.gap_seconds == 210


@pytest.mark.parametrize(
    ("window", "recordings", "tolerance", "state"),
    [
        ((0, 600), [(0, 300), (300.5, 600)], 0.0, PARTIAL),  # zero tolerance: every hole
        ((0, 600), [(0, 300), (300, 600)], 0.0, COVERED),  # touching needs no tolerance
        ((0, 3), [], TOLERANCE, MISSING),  # short acts still need footage
        ((0, 3), [(1, 1)], TOLERANCE, COVERED),  # shorter than the tolerance: no gap fits
        ((50, 50), [(0, 100)], TOLERANCE, COVERED),  # an act with one instant
        # A stretch is a gap only when it is longer than the tolerance by MORE than half a
        # millisecond (rule 3): exactly that much, before the footage or after it, is none.
        ((0, 600), [(5.0005, 600)], TOLERANCE, COVERED),
        ((0, 5.0005), [(0, 0)], TOLERANCE, COVERED),
        ((0, 600), [(5.0006, 600)], TOLERANCE, PARTIAL),
        ((0, 5.0006), [(0, 0)], TOLERANCE, PARTIAL),
    ],
)
def test_edges(window, recordings, tolerance, state):
    assert measure(window, recordings, tolerance).state is state


@pytest.mark.parametrize(
    ("window", "recordings", "tolerance", "says"),
    [
        ((600, 0), [], 5.0, r"^an act cannot end \(0\) before it starts \(600\)"),
        ((0, 600), [(10, 5)], 5.0, r"^a recording cannot end \(5\) before it starts \(10\)"),
        ((0, 600), [], -1.0, r"^the tolerance cannot be negative"),
    ],
)
def test_impossible_input_is_refused(window, recordings, tolerance, says):
    with pytest.raises(ValueError, match=says):
        measure(window, recordings, tolerance)


def test_the_states_are_the_words_of_the_api_and_the_report():
    # What a client reads in every coverage answer (docs/compliance.md's table).
    assert [state.value for state in State] == ["covered", "partial", "missing", "exempted"]


def test_a_measure_cannot_be_altered_once_taken():
    result = measure(WINDOW, [(0, 300)], TOLERANCE)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field"):
        result.state = COVERED  # type: ignore[misc]


def test_times_are_compared_to_the_millisecond():
    window = (1773279000.0, 1773279600.0)  # real epoch seconds, where floats are coarse
    hole = [(window[0], window[0] + 100.1), (window[0] + 105.1, window[1])]
    assert measure(window, hole, 5.0).state is COVERED
    wider = [(window[0], window[0] + 100.1), (window[0] + 105.102, window[1])]
    assert measure(window, wider, 5.0).state is PARTIAL
