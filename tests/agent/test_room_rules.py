"""The room-session rules, as a table (agent/rooms/rules.py)."""

import pytest

from agent.rooms.rules import Activity, final, problem

GRACE = 60.0
T = 1_000_000.0


@pytest.mark.parametrize(
    ("stopped", "activity", "now", "kind"),
    [
        (None, Activity(0, None), T + 30, None),  # open, nothing yet, within the grace
        (None, Activity(0, None), T + 61, "session_no_footage"),
        (T + 10, Activity(0, None), T + 11, "session_no_footage"),  # closed, nothing at all
        (None, Activity(2, T + 100), T + 150, None),  # still writing
        (None, Activity(2, T + 100), T + 161, "session_recording_stopped"),
        (T + 600, Activity(3, T + 590), T + 700, None),  # last write just before the close
        (T + 600, Activity(3, T + 300), T + 700, "session_recording_stopped"),
    ],
)
def test_problem(stopped, activity, now, kind):
    found = problem(T, stopped, activity, now, GRACE)
    assert (None if found is None else found.kind) == kind


def test_a_closed_session_is_judged_for_good_once_its_grace_has_passed():
    assert not final(None, T, GRACE)
    assert not final(T, T + 59, GRACE)
    assert final(T, T + 60, GRACE)
