"""The agent's pure rules: the state table and when a file counts as complete."""

import pytest

from agent.completeness import Observation, is_complete
from agent.states import TERMINAL, FileState, check_transition
from evidence.errors import JournalError


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (FileState.DISCOVERED, FileState.READY),
        (FileState.READY, FileState.FINGERPRINTED),
        (FileState.FINGERPRINTED, FileState.SIGNED),
        (FileState.SIGNED, FileState.REGISTERED),
        (FileState.REGISTERED, FileState.UPLOADING),
        (FileState.UPLOADING, FileState.UPLOADED),
        (FileState.UPLOADED, FileState.RECEIPTED),
        (FileState.UPLOADING, FileState.REJECTED),
        (FileState.READY, FileState.VANISHED),
        (FileState.UPLOADED, FileState.SIGNED),
    ],
)
def test_the_path_to_a_receipt_is_allowed(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (FileState.DISCOVERED, FileState.RECEIPTED),
        (FileState.READY, FileState.UPLOADED),
        (FileState.RECEIPTED, FileState.SIGNED),
        (FileState.VANISHED, FileState.READY),
        (FileState.SIGNED, FileState.DISCOVERED),  # once signed, never silently re-signed
        (FileState.UPLOADED, FileState.VANISHED),  # the server holds every byte by then
    ],
)
def test_shortcuts_and_going_back_after_signing_are_refused(current, target):
    with pytest.raises(JournalError):
        check_transition(current, target)


def test_only_a_receipt_ends_well():
    assert FileState.RECEIPTED in TERMINAL
    assert FileState.UPLOADED not in TERMINAL


def test_a_closed_file_settles_faster_than_an_unclosed_one():
    assert is_complete(
        unchanged_since=10.0, now=12.0, closed=True, settle_seconds=2, quiet_seconds=30
    )
    assert not is_complete(
        unchanged_since=10.0, now=12.0, closed=False, settle_seconds=2, quiet_seconds=30
    )
    assert is_complete(
        unchanged_since=10.0, now=40.0, closed=False, settle_seconds=2, quiet_seconds=30
    )


def test_an_observation_compares_size_mtime_and_inode():
    seen = Observation(10, 1000, 7)
    assert seen == Observation(10, 1000, 7)
    assert seen != Observation(11, 1000, 7)
    assert seen != Observation(10, 1001, 7)
    assert seen != Observation(10, 1000, 8)  # replaced by another file
