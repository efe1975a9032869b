"""The journal: observations, compare-and-set moves, and an unbroken manifest chain."""

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
from evidence.digest import fingerprint_file
from evidence.errors import JournalError
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PrivateKey


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


async def _events_of(path, file_id):
    journal = Journal(path)
    await journal.open()
    try:
        return await journal.events(file_id)
    finally:
        await journal.close()
