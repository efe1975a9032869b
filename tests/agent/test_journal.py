"""The journal: observations, compare-and-set moves, and an unbroken manifest chain."""

import dataclasses
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.completeness import Observation
from agent.config import CaptureDefaults
from agent.journal import Journal
from agent.manifests import Signer, build_original
from agent.states import FileState
from evidence.case_number import CaseNumberRule
from evidence.digest import StreamingFingerprint, fingerprint_file
from evidence.errors import JournalError
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PrivateKey
from tests.builders import media_lasting, signed_for


@pytest.fixture
async def journal(tmp_path):
    opened = Journal(tmp_path / "journal.sqlite3")
    await opened.open()
    yield opened
    await opened.close()


async def test_a_new_path_is_discovered_and_its_quiet_period_restarts_on_change(journal):
    path = Path("/dock/bay/a.mp4")
    row = await journal.observe(path, Observation(10, 1, 1), closed=False, now=100.0)
    assert row.state is FileState.DISCOVERED and row.unchanged_since == 100.0
    row = await journal.observe(path, Observation(10, 1, 1), closed=True, now=105.0)
    assert row.unchanged_since == 100.0 and row.closed
    row = await journal.observe(path, Observation(10, 1, 1), closed=False, now=106.0)
    assert row.closed, "a later rescan does not forget the close"
    row = await journal.observe(path, Observation(20, 2, 1), closed=False, now=107.0)
    assert row.unchanged_since == 107.0 and not row.closed


async def test_moves_are_compare_and_set(journal):
    row = await journal.observe(Path("/a"), Observation(1, 1, 1), closed=True, now=1.0)
    ready = await journal.move(row, FileState.READY, 2.0)
    with pytest.raises(JournalError, match="is no longer discovered"):
        await journal.move(row, FileState.READY, 3.0)  # the stale copy still says discovered
    with pytest.raises(JournalError, match="from ready to receipted"):
        await journal.move(ready, FileState.RECEIPTED, 3.0)  # not allowed from ready
    events = await journal.events(row.id)
    assert [(old, new) for _, old, new, _ in events] == [
        (None, "discovered"),
        ("discovered", "ready"),
    ]


async def test_signing_takes_consecutive_sequence_numbers_chained_by_hash(journal, tmp_path):
    key = Ed25519PrivateKey.generate()
    signer = Signer(DeviceId("dock-1"), key)
    rule = CaseNumberRule()
    signed = []
    for n in range(3):
        media = tmp_path / f"{n}.mp4"
        media.write_bytes(bytes([n]) * 100)
        seen = Observation(100, media.stat().st_mtime_ns, media.stat().st_ino)
        row = await journal.observe(media, seen, closed=True, now=1.0)
        row = await journal.move(row, FileState.READY, 2.0)
        row = await journal.record_fingerprint(row, fingerprint_file(media), seen, 3.0)

        def build(sequence, previous, row=row, media=media):
            return build_original(
                evidence_id=row.evidence_id,
                file_name=media.name,
                fingerprint=row.fingerprint,
                sidecar=None,
                defaults=CaptureDefaults(),
                modified_at=datetime.now(UTC),
                rule=rule,
                signer=signer,
                sequence=sequence,
                previous=previous,
            )

        row = await journal.sign(row, "dock-1", 4.0, build)
        signed.append(row.signed(rule))
    assert [s.manifest.sequence for s in signed] == [1, 2, 3]
    assert signed[0].manifest.previous is None
    assert signed[1].manifest.previous == signed[0].sha256
    assert signed[2].manifest.previous == signed[1].sha256


def fingerprint_of(data):
    fingerprint = StreamingFingerprint()
    fingerprint.update(data)
    return fingerprint.finish()


async def test_a_manifest_signed_before_the_ranges_is_still_read_back(journal):
    """An older agent signed a broken file's header length unbounded (400 days here, over
    today's range): the journal still hands that manifest back to be sent as it is."""
    key = Ed25519PrivateKey.generate()
    media = dataclasses.replace(media_lasting(3.0), duration_ms=400 * 86_400_000)
    row = await journal.observe(Path("/dock/old.mp4"), Observation(3, 1, 1), closed=True, now=1)
    row = await journal.move(row, FileState.READY, 2.0)
    row = await journal.record_fingerprint(row, fingerprint_of(b"old"), Observation(3, 1, 1), 3)

    def build(sequence, previous):
        return signed_for(b"old", "dock-1", key, sequence=sequence, previous=previous, media=media)

    row = await journal.sign(row, "dock-1", 4.0, build)
    assert row.signed(CaseNumberRule()).manifest.media.duration_ms == 400 * 86_400_000


async def test_one_active_row_per_path_but_history_is_kept(journal):
    path = Path("/dock/a.mp4")
    row = await journal.observe(path, Observation(1, 1, 1), closed=True, now=1.0)
    await journal.move(await journal.move(row, FileState.READY, 2.0), FileState.VANISHED, 3.0)
    again = await journal.observe(path, Observation(2, 2, 2), closed=True, now=4.0)
    assert again.id != row.id and again.evidence_id != row.evidence_id
    assert len(await journal.all_files()) == 2


async def test_a_finished_file_left_on_the_dock_is_not_taken_again(journal):
    path = Path("/dock/a.mp4")
    seen = Observation(1, 1, 1)
    row = await journal.observe(path, seen, closed=True, now=1.0)
    for state in (FileState.READY, FileState.VANISHED):
        row = await journal.move(row, state, 2.0)
    back = await journal.observe(path, seen, closed=True, now=3.0)
    assert back is not None and back.id != row.id, "a vanished file that comes back is taken again"
    row = back
    for state in (FileState.READY,):
        row = await journal.move(row, state, 4.0)
    await journal._db.run(  # finish it as the pipeline would, receipted
        lambda conn: conn.execute("UPDATE files SET state = 'receipted' WHERE id = ?", (row.id,))
    )
    assert await journal.observe(path, seen, closed=False, now=5.0) is None, (
        "rescans leave it alone"
    )
    assert len(await journal.all_files()) == 2
    changed = await journal.observe(path, Observation(2, 9, 1), closed=False, now=6.0)
    assert changed is not None and changed.state is FileState.DISCOVERED, (
        "new content is new footage"
    )


async def _ready(journal, name: str):
    row = await journal.observe(Path(f"/dock/bay/{name}"), Observation(10, 1, 1), True, 1.0)
    return await journal.move(row, FileState.READY, 2.0)


async def test_a_hold_keeps_the_refusal_counts_it_and_remembers_the_first(journal):
    row = await _ready(journal, "a.mp4")
    row = await journal.hold(row, "derivation_failed", "no review copy: boom", 10.0, 610.0)
    assert (row.state, row.error_code, row.error_message) == (
        FileState.HELD,
        "derivation_failed",
        "no review copy: boom",
    )
    assert (row.refusals, row.held_since, row.next_attempt_at) == (1, 10.0, 610.0)
    row = await journal.move(row, FileState.READY, 700.0, "trying again")
    assert (row.error_code, row.refusals, row.held_since) == (None, 1, 10.0)
    row = await journal.hold(row, "derivation_failed", "again", 800.0, 2000.0)
    assert (row.refusals, row.held_since) == (2, 10.0), "the first refusal is remembered"
    assert await journal.due(1000.0, set(), 10) == []
    assert [r.id for r in await journal.due(2000.0, set(), 10)] == [row.id]


async def test_held_files_are_made_due_by_id_or_all_with_the_reason_kept(journal):
    first = await journal.hold(await _ready(journal, "a.mp4"), "too_large", "big", 1.0, 9e9)
    second = await journal.hold(await _ready(journal, "b.mp4"), "too_large", "big", 1.0, 9e9)
    other = await _ready(journal, "c.mp4")
    asked = await journal.retry_held(50.0, "tried again: asked", (second.id, other.id))
    assert asked == [second.id]
    assert {r.id for r in await journal.due(50.0, set(), 10)} == {second.id, other.id}
    everyone = await journal.retry_held(60.0, "tried again: the agent started")
    assert everyone == [first.id, second.id]
    assert (await journal.events(first.id))[-1] == (
        60.0,
        "held",
        "held",
        "tried again: the agent started",
    )


async def test_files_an_older_agent_rejected_are_held_and_tried_again_after_the_upgrade(tmp_path):
    """Before this journal version a refusal ended a file in ``rejected`` for ever."""
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    await journal.open()
    refused = await _ready(journal, "refused.mp4")
    altered = await _ready(journal, "altered.mp4")
    superseded = await _ready(journal, "superseded.mp4")
    with sqlite3.connect(path) as conn:  # what an older agent left behind
        for row, code in (
            (refused, "bad_manifest"),
            (altered, "source_changed"),
            (superseded, "too_large"),
        ):
            conn.execute(
                "UPDATE files SET state = 'rejected', error_code = ? WHERE id = ?", (code, row.id)
            )
    changed = Observation(11, 2, 1)  # the superseded file changed since: a row of its own
    newer = await journal.observe(superseded.path, changed, closed=True, now=3.0)
    await journal.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE files DROP COLUMN held_since")
        conn.execute("ALTER TABLE files DROP COLUMN refusals")
        conn.execute("PRAGMA user_version = 0")

    for _ in range(2):  # the upgrade happens once
        journal = Journal(path)
        await journal.open()
        rows = {row.id: row for row in await journal.all_files()}
        await journal.close()
    assert rows[refused.id].state is FileState.HELD
    assert (rows[refused.id].refusals, rows[refused.id].next_attempt_at) == (1, 0)
    assert rows[refused.id].error_code == "bad_manifest"
    assert rows[altered.id].state is FileState.REJECTED, "an altered file stays an alarm"
    assert rows[superseded.id].state is FileState.REJECTED
    assert rows[newer.id].state is FileState.DISCOVERED
    notes = [note for *_, note in await _events_of(path, refused.id)]
    assert notes[-1] == "an older agent gave up on it; held and retried"


async def test_of_two_refused_files_at_one_path_the_upgrade_holds_the_newer(tmp_path):
    """A camera's file counter reused: VID_0001.MP4 twice, both refused by an older agent.
    One path has one file on its way, so only the newer is held; the agent starts."""
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    await journal.open()
    reused = Path("/dock/bay/VID_0001.MP4")
    rows = []
    for n in range(2):
        row = await journal.observe(reused, Observation(10 + n, n + 1, n + 1), True, 1.0 + n)
        rows.append(await journal.move(row, FileState.READY, 2.0 + n))
        with sqlite3.connect(path) as conn:  # what an older agent left behind
            conn.execute(
                "UPDATE files SET state = 'rejected', error_code = 'bad_manifest' WHERE id = ?",
                (row.id,),
            )
    await journal.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE files DROP COLUMN held_since")
        conn.execute("ALTER TABLE files DROP COLUMN refusals")
        conn.execute("PRAGMA user_version = 0")

    journal = Journal(path)
    await journal.open()  # was: JournalError: UNIQUE constraint failed: files.path
    states = {row.id: row.state for row in await journal.all_files()}
    await journal.close()
    older, newer = rows
    assert (states[older.id], states[newer.id]) == (FileState.REJECTED, FileState.HELD)
    [*_, (_, was, now, note)] = await _events_of(path, older.id)
    assert (was, now) == ("rejected", "rejected")
    assert "a newer refused file at the same path is held instead" in note


async def _events_of(path, file_id):
    journal = Journal(path)
    await journal.open()
    try:
        return await journal.events(file_id)
    finally:
        await journal.close()


# The files table as the agent before issue 10 made it (user_version 1).
BEFORE_ISSUE_10 = """
CREATE TABLE files (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, state TEXT NOT NULL,
    evidence_id TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'original',
    parent_id INTEGER REFERENCES files (id), first_seen_at REAL NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
    unchanged_since REAL NOT NULL, closed INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT, chunk_size INTEGER, chunks TEXT, root TEXT, media TEXT, perceptual TEXT,
    sequence INTEGER, manifest BLOB, signature BLOB, upload_url TEXT, receipt BLOB,
    receipt_signature BLOB, safe_to_remove INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0,
    error_code TEXT, error_message TEXT, refusals INTEGER NOT NULL DEFAULT 0, held_since REAL
);
CREATE UNIQUE INDEX files_one_active_per_path ON files (path)
    WHERE state NOT IN ('receipted', 'rejected', 'vanished');
CREATE TABLE events (
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files (id), at REAL NOT NULL,
    from_state TEXT, to_state TEXT NOT NULL, note TEXT
);
INSERT INTO files (id, path, state, evidence_id, first_seen_at, size, mtime_ns, inode,
    unchanged_since) VALUES
    (1, '/dock/done.mp4', 'receipted', '0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a', 1, 10, 1, 1, 1),
    (2, '/dock/waiting.mp4', 'ready', '1b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a', 1, 10, 1, 2, 1);
INSERT INTO events (file_id, at, from_state, to_state) VALUES (1, 42.0, 'uploaded', 'receipted');
PRAGMA user_version = 1;
"""


async def test_a_journal_from_before_issue_10_gains_its_columns_and_receipt_times(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(BEFORE_ISSUE_10)
    for _ in range(2):  # the upgrade happens once
        journal = Journal(path)
        await journal.open()
        rows = {row.path.name: row for row in await journal.all_files()}
        await journal.close()
    done, waiting = rows["done.mp4"], rows["waiting.mp4"]
    assert (done.receipted_at, waiting.receipted_at) == (42.0, None)
    assert (waiting.upload_offset, waiting.urgent, waiting.progress) == (0, False, None)
    with sqlite3.connect(path) as conn:
        [index] = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'files_one_active_per_path'"
        ).fetchone()
        assert conn.execute("PRAGMA user_version").fetchone() == (3,)  # every step, once
    assert "'unmade'" in index, "a copy given up no longer holds its path"
    assert "'duplicate'" in index, "a duplicate no longer holds its path"
