"""The journal: observations, compare-and-set moves, and an unbroken manifest chain."""

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
    with pytest.raises(JournalError):
        await journal.move(row, FileState.READY, 3.0)  # the stale copy still says discovered
    with pytest.raises(JournalError):
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
