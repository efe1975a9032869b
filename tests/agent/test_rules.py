"""The agent's pure rules: the state table, when a file counts as complete, what a
failure leads to and when it is tried again, and which files are alarms."""

import itertools
from pathlib import Path

import pytest

from agent.alarms import AlarmKind, alarm_of, summary
from agent.completeness import Observation, is_complete
from agent.journal import FileRow
from agent.retries import Outcome, backoff_delay, held_delay, outcome, retry_state
from agent.states import ACTIVE, NEEDS_FILE, TERMINAL, FileState, allowed, check_transition
from evidence import errors
from evidence.errors import JournalError
from evidence.identifiers import EvidenceId, Role


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
    with pytest.raises(JournalError, match=f"from {current.value} to {target.value}"):
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


S = FileState
# The whole table, written out again: every edge not listed here is refused.
EDGES = {
    (S.DISCOVERED, S.READY),
    (S.READY, S.FINGERPRINTED),
    (S.READY, S.DISCOVERED),
    (S.READY, S.HELD),
    (S.READY, S.VANISHED),
    (S.READY, S.UNMADE),  # a copy given up after agent.derivation_attempts (issue 10)
    (S.READY, S.DUPLICATE),  # hashed: the bytes of another original (issue 10)
    (S.FINGERPRINTED, S.SIGNED),
    (S.FINGERPRINTED, S.DISCOVERED),
    (S.FINGERPRINTED, S.HELD),
    (S.FINGERPRINTED, S.VANISHED),
    (S.SIGNED, S.REGISTERED),
    (S.SIGNED, S.HELD),
    (S.SIGNED, S.VANISHED),
    (S.REGISTERED, S.UPLOADING),
    (S.REGISTERED, S.SIGNED),
    (S.REGISTERED, S.HELD),
    (S.REGISTERED, S.VANISHED),
    (S.UPLOADING, S.UPLOADED),
    (S.UPLOADING, S.SIGNED),
    (S.UPLOADING, S.HELD),
    (S.UPLOADING, S.REJECTED),
    (S.UPLOADING, S.VANISHED),
    (S.UPLOADED, S.RECEIPTED),
    (S.UPLOADED, S.UPLOADING),
    (S.UPLOADED, S.SIGNED),
    (S.UPLOADED, S.HELD),
    (S.HELD, S.SIGNED),
    (S.HELD, S.READY),
    (S.HELD, S.REJECTED),
    (S.HELD, S.VANISHED),
}


@pytest.mark.parametrize(("current", "target"), sorted(itertools.product(S, S)))
def test_every_edge_of_the_state_table(current, target):
    assert allowed(current, target) is ((current, target) in EDGES)
    if (current, target) in EDGES:
        check_transition(current, target)
    else:
        refusal = f"^a file may not go from {current.value} to {target.value}$"
        with pytest.raises(JournalError, match=refusal):
            check_transition(current, target)


def test_the_journal_names_each_state_as_it_always_has():
    # A dock's journal outlives an upgrade: rows hold these names, and its SQL spells out
    # the terminal ones, so renaming a state strands every file in it.
    assert [state.value for state in S] == [
        "discovered",
        "ready",
        "fingerprinted",
        "signed",
        "registered",
        "uploading",
        "uploaded",
        "held",
        "receipted",
        "rejected",
        "vanished",
        "unmade",
        "duplicate",
    ]


def test_which_states_end_and_which_are_worked_on():
    ends, worked, reads_the_file = TERMINAL, ACTIVE, NEEDS_FILE
    assert ends == {S.RECEIPTED, S.REJECTED, S.VANISHED, S.UNMADE, S.DUPLICATE}
    # a discovered file is not worked on: it waits until it has settled on the dock
    assert worked == {
        S.READY,
        S.FINGERPRINTED,
        S.SIGNED,
        S.REGISTERED,
        S.UPLOADING,
        S.UPLOADED,
        S.HELD,
    }
    assert reads_the_file == worked - {S.UPLOADED}  # once uploaded, the server has every byte


def test_held_is_no_end_and_is_worked_on():
    assert S.HELD not in TERMINAL
    assert S.HELD in ACTIVE and S.HELD in NEEDS_FILE
    assert not any(allowed(end, other) for end in TERMINAL for other in S)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (errors.MalformedManifest, Outcome.HOLD),  # a body cut short by a slow link
        (errors.InvalidCaseNumber, Outcome.HOLD),  # the server's rule differs
        (errors.TooLarge, Outcome.HOLD),
        (errors.UnsupportedMediaType, Outcome.HOLD),
        (errors.PreconditionFailed, Outcome.HOLD),
        (errors.KeyMismatch, Outcome.HOLD),  # the device's key was registered anew
        (errors.BadSignature, Outcome.HOLD),
        (errors.DigestMismatch, Outcome.HOLD),  # the server's bytes, not the dock's
        (errors.ChunkRootMismatch, Outcome.HOLD),
        (errors.UploadRejected, Outcome.HOLD),
        (errors.ManifestConflict, Outcome.HOLD),
        (errors.SequenceReused, Outcome.HOLD),
        (errors.WrongDevice, Outcome.HOLD),
        (errors.DerivationFailed, Outcome.BACK_OFF),  # then given up (issue 10)
        (errors.SourceChanged, Outcome.REJECT),
        (errors.ReceiptMismatch, Outcome.BACK_OFF),
        (errors.Unavailable, Outcome.BACK_OFF),
        (errors.InsufficientStorage, Outcome.BACK_OFF),
        (errors.Locked, Outcome.BACK_OFF),
        (errors.Unauthenticated, Outcome.BACK_OFF),
        (errors.UnknownDevice, Outcome.BACK_OFF),
        (errors.DeviceRevoked, Outcome.BACK_OFF),
        (errors.ChecksumMismatch, Outcome.BACK_OFF),
        (errors.AlreadyFinalized, Outcome.BACK_OFF),
        (errors.JournalError, Outcome.BACK_OFF),
        (errors.LiuhenError, Outcome.BACK_OFF),
    ],
)
def test_what_each_failure_leads_to(error, expected):
    assert outcome(error("x")) is expected


def test_backoff_doubles_to_its_cap_however_many_failures():
    assert [backoff_delay(n, 1.0, 300.0, 1.0) for n in (0, 1, 2, 8, 9)] == [1, 2, 4, 256, 300]
    assert backoff_delay(5000, 1.0, 300.0, 1.0) == 300.0  # 2**5000 overflowed a float
    assert backoff_delay(3, 1.0, 300.0, 0.5) == 4.0
    assert backoff_delay(3, 1.0, 300.0, 0.0) == 0.0, "full jitter: anything from nothing"


def test_a_held_file_waits_minutes_then_doubling_hours_at_most():
    first, cap = 600.0, 14400.0
    delays = [held_delay(n, first, cap, 1.0) for n in (1, 2, 3, 5, 6, 100_000)]
    assert delays == [600, 1200, 2400, 9600, 14400, 14400]
    assert held_delay(1, first, cap, 0.0) == 300.0


def test_a_held_file_is_sent_again_as_signed_or_made_again_if_never_signed():
    assert retry_state(signed=True) is S.SIGNED
    assert retry_state(signed=False) is S.READY


def _row(state: FileState, role: Role = Role.ORIGINAL, code: str | None = None) -> FileRow:
    return FileRow(
        id=1,
        path=Path("/dock/a.mp4"),
        state=state,
        evidence_id=EvidenceId.new(),
        role=role,
        parent_id=None,
        observation=Observation(1, 1, 1),
        first_seen_at=0.0,
        unchanged_since=0.0,
        closed=True,
        fingerprint=None,
        media=None,
        perceptual=None,
        manifest=None,
        signature=None,
        upload_url=None,
        receipt=None,
        safe_to_remove=False,
        attempts=0,
        next_attempt_at=0.0,
        error_code=code,
        error_message=None,
        refusals=0,
        held_since=None,
    )


def test_alarms_are_held_altered_and_lost_originals_and_summed_up_most_urgent_first():
    rows = [
        _row(S.HELD, code="bad_manifest"),
        _row(S.HELD, Role.PROXY, "too_large"),
        _row(S.HELD, Role.PROXY, "derivation_failed"),
        _row(S.REJECTED, code="source_changed"),
        _row(S.VANISHED),
        _row(S.VANISHED, Role.PROXY),  # the agent's own copy: nothing lost
        _row(S.UPLOADING, code="unavailable"),  # retrying by itself
        _row(S.RECEIPTED),
    ]
    assert [alarm_of(row) for row in rows] == [
        AlarmKind.HELD,
        AlarmKind.HELD,
        AlarmKind.HELD,
        AlarmKind.ALTERED,
        AlarmKind.LOST,
        None,
        None,
        None,
    ]
    assert summary(rows) == [
        "1 file altered on the dock after signing: kept, never sent as signed — see below",
        "1 file lost: gone from the dock before its receipt — see below",
        "2 files held: the server refused them — see below",
        "1 copy held: could not be made — see below",
    ]
    assert summary(rows[-2:]) == []
