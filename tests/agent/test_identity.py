"""Which row a file is (agent/journal_identity.py, agent/renames.py): the same bytes
docked twice are one recording, a renamed file keeps its row, and two different files
never share one. The journal is real (SQLite on disk) and so are the files; the whole
agent against the real server does the same in tests/faults/test_dock_scenarios.py."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest

from agent.completeness import Observation
from agent.journal import FileRow, Journal
from agent.renames import find_in_folder, was_renamed
from agent.states import FileState
from evidence.digest import fingerprint_file
from evidence.errors import JournalError
from tests.agent.conftest import by_hand


@pytest.fixture
async def journal(tmp_path):
    opened = Journal(tmp_path / "journal.sqlite3")
    await opened.open()
    yield opened
    await opened.close()


def seen(path: Path) -> Observation:
    stat = path.stat()
    return Observation(stat.st_size, stat.st_mtime_ns, stat.st_ino)


def dock(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


async def hashed(journal: Journal, path: Path, now: float = 3.0) -> FileRow:
    """Discovered, ready and hashed, as the settle loop and the pipeline take it."""
    row = await journal.observe(path, seen(path), closed=True, now=1.0)
    assert row is not None
    row = await journal.move(row, FileState.READY, 2.0)
    return await journal.record_fingerprint(row, fingerprint_file(path), seen(path), now)


async def receipted(journal: Journal, row: FileRow, now: float = 9.0) -> FileRow:
    """Receipted as the pipeline would (its steps to ``uploaded`` need a server)."""
    await journal._db.run(
        lambda conn: conn.execute("UPDATE files SET state = 'uploaded' WHERE id = ?", (row.id,))
    )
    uploaded = await journal.get(row.id)
    return await journal.move(
        uploaded, FileState.RECEIPTED, now, receipt=b"r", receipt_signature=b"s"
    )


async def test_the_same_bytes_hashed_again_are_a_duplicate_freed_only_by_the_receipt(
    journal, tmp_path
):
    footage = os.urandom(4096)
    first = await hashed(journal, dock(tmp_path / "bay-1", "BWC_0001.MP4", footage))
    again = await hashed(journal, dock(tmp_path / "bay-2", "copy.MP4", footage))
    assert first.state is FileState.FINGERPRINTED
    assert again.state is FileState.DUPLICATE and again.duplicate_of == first.id
    assert again.fingerprint == first.fingerprint and not again.safe_to_remove
    assert [note for *_, note in await journal.events(again.id)][-1] == (
        f"the same footage as file {first.id} ({first.path}, evidence {first.evidence_id}): "
        "not uploaded again"
    )
    await journal.move(first, FileState.SIGNED, 4.0)  # on its way: still not safe
    assert not (await journal.get(again.id)).safe_to_remove
    await receipted(journal, await journal.get(first.id))
    freed = await journal.get(again.id)
    assert freed.safe_to_remove and freed.state is FileState.DUPLICATE
    assert "is receipted" in [note for *_, note in await journal.events(again.id)][-1]


async def test_a_copy_of_receipted_footage_is_safe_to_remove_at_once(journal, tmp_path):
    footage = os.urandom(4096)
    first = await receipted(journal, await hashed(journal, dock(tmp_path, "a.mp4", footage)))
    back = await hashed(journal, dock(tmp_path / "later", "a.mp4", footage))
    assert (back.state, back.duplicate_of, back.safe_to_remove) == (
        FileState.DUPLICATE,
        first.id,
        True,
    )
    assert back.evidence_id != first.evidence_id  # its own row, journaled with path and time
    assert back.path == tmp_path / "later" / "a.mp4" and back.first_seen_at == 1.0


async def test_rescans_leave_a_duplicate_alone(journal, tmp_path):
    footage = os.urandom(4096)
    await hashed(journal, dock(tmp_path / "bay-1", "a.mp4", footage))
    copy = dock(tmp_path / "bay-2", "a.mp4", footage)
    await hashed(journal, copy)
    assert await journal.observe(copy, seen(copy), closed=False, now=5.0) is None
    assert len(await journal.all_files()) == 2


async def test_the_same_name_with_other_bytes_is_a_new_recording(journal, tmp_path):
    path = dock(tmp_path, "BWC_0001.MP4", os.urandom(4096))
    first = await receipted(journal, await hashed(journal, path))
    path.unlink()  # freed and removed; the camera's counter comes round again
    path = dock(tmp_path, "BWC_0001.MP4", os.urandom(4096))
    second = await hashed(journal, path)
    assert second.state is FileState.FINGERPRINTED and second.duplicate_of is None
    assert second.evidence_id != first.evidence_id


async def test_two_different_files_of_one_size_are_never_merged(journal, tmp_path):
    one = dock(tmp_path, "one.mp4", bytes(4096))
    other = dock(tmp_path, "other.mp4", bytes(4095) + b"\x01")  # one bit apart
    os.utime(other, ns=(seen(one).mtime_ns, seen(one).mtime_ns))
    rows = await asyncio.gather(hashed(journal, one), hashed(journal, other))
    assert {row.state for row in rows} == {FileState.FINGERPRINTED}


async def test_of_two_copies_hashed_at_once_exactly_one_goes_on(journal, tmp_path):
    footage = os.urandom(4096)
    paths = [dock(tmp_path / f"bay-{n}", "a.mp4", footage) for n in range(4)]
    rows = await asyncio.gather(*(hashed(journal, path) for path in paths))
    going = [row for row in rows if row.state is FileState.FINGERPRINTED]
    assert len(going) == 1
    assert all(row.duplicate_of == going[0].id for row in rows if row is not going[0])


async def test_a_stale_row_is_neither_fingerprinted_nor_made_a_duplicate(journal, tmp_path):
    footage = os.urandom(4096)
    await hashed(journal, dock(tmp_path / "bay-1", "a.mp4", footage))
    path = dock(tmp_path / "bay-2", "a.mp4", footage)
    row = await journal.observe(path, seen(path), closed=True, now=1.0)
    ready = await journal.move(row, FileState.READY, 2.0)
    await journal.move(ready, FileState.VANISHED, 2.5)  # the rescan got there first
    with pytest.raises(JournalError, match="is no longer ready"):
        await journal.record_fingerprint(ready, fingerprint_file(path), seen(path), 3.0)
    assert (await journal.get(row.id)).state is FileState.VANISHED


@pytest.mark.parametrize("end", [FileState.VANISHED, FileState.HELD])
async def test_a_duplicate_goes_on_by_itself_when_its_original_is_lost(journal, tmp_path, end):
    footage = os.urandom(4096)
    first = await hashed(journal, dock(tmp_path / "bay-1", "a.mp4", footage))
    copy = dock(tmp_path / "bay-2", "b.mp4", footage)
    await hashed(journal, copy)
    first = await journal.move(first, end, 4.0, "file disappeared")
    taken = await journal.observe(copy, seen(copy), closed=False, now=5.0)
    if end is FileState.HELD:  # held is still on its way: the copy waits
        assert taken is None
        return
    assert taken is not None and taken.state is FileState.DISCOVERED
    ready = await journal.move(taken, FileState.READY, 6.0)
    again = await journal.record_fingerprint(ready, fingerprint_file(copy), seen(copy), 7.0)
    assert again.state is FileState.FINGERPRINTED, "its bytes go on their own now"


async def test_a_renamed_file_on_its_way_keeps_its_row(journal, tmp_path):
    old = dock(tmp_path, "BWC_0001.MP4", os.urandom(4096))
    row = await hashed(journal, old)
    new = old.with_name("BWC_0001-renamed.MP4")
    old.rename(new)
    candidate = await journal.rename_candidate(new, seen(new))
    assert candidate is not None and candidate.id == row.id
    assert was_renamed(old, new, seen(new))
    moved = await journal.rename(candidate, new, 4.0)
    assert moved is not None and (moved.id, moved.path, moved.state) == (
        row.id,
        new,
        FileState.FINGERPRINTED,
    )
    assert (await journal.events(row.id))[-1] == (
        4.0,
        "fingerprinted",
        "fingerprinted",
        f"renamed from {old} to {new}",
    )
    assert await journal.observe(new, seen(new), closed=False, now=5.0) == moved  # no new row
    assert len(await journal.all_files()) == 1


async def test_a_rename_is_refused_where_another_file_is_on_its_way(journal, tmp_path):
    old = dock(tmp_path, "a.mp4", os.urandom(4096))
    row = await hashed(journal, old)
    there = dock(tmp_path, "b.mp4", os.urandom(10))
    await journal.observe(there, seen(there), closed=False, now=2.0)
    assert await journal.rename_candidate(there, seen(old)) is None
    assert await journal.rename(row, there, 3.0) is None
    assert (await journal.get(row.id)).path == old


async def test_a_finished_row_is_never_renamed(journal, tmp_path):
    old = dock(tmp_path, "a.mp4", os.urandom(4096))
    row = await receipted(journal, await hashed(journal, old))
    new = old.with_name("b.mp4")
    old.rename(new)
    assert await journal.rename_candidate(new, seen(new)) is None
    assert await journal.rename(row, new, 4.0) is None  # its content rule applies instead
    assert (await journal.get(row.id)).path == old


def test_a_second_name_is_no_rename_nor_a_file_with_another_inode(tmp_path):
    old = dock(tmp_path, "a.mp4", os.urandom(100))
    link = tmp_path / "link.mp4"
    os.link(old, link)
    assert not was_renamed(old, link, seen(link)), "a hard link: the old name still holds it"
    other = dock(tmp_path, "other.mp4", old.read_bytes())
    assert not was_renamed(old, other, Observation(100, seen(old).mtime_ns, seen(old).inode))
    assert find_in_folder(old, seen(old), ()) is None  # a.mp4 is there: nothing was renamed


def test_a_rename_in_its_folder_is_found_unless_the_new_name_is_ignored(tmp_path):
    old = dock(tmp_path, "a.mp4", os.urandom(100))
    before = seen(old)
    dock(tmp_path, "b.mp4", os.urandom(100))  # same size, another file
    new = old.with_name("c.mp4")
    old.rename(new)
    assert find_in_folder(old, before, ()) == new
    assert find_in_folder(old, before, ("*.mp4",)) is None
    new.unlink()
    assert find_in_folder(old, before, ()) is None


async def test_a_journal_from_before_duplicates_gains_the_column_and_the_index(tmp_path):
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    await journal.open()
    await journal.observe(tmp_path / "a.mp4", Observation(1, 1, 1), closed=True, now=1.0)
    await journal.close()
    with sqlite3.connect(path) as conn:  # as the last version left it
        conn.executescript(
            "DROP INDEX files_one_active_per_path; ALTER TABLE files DROP COLUMN duplicate_of;"
            "CREATE UNIQUE INDEX files_one_active_per_path ON files (path) "
            "WHERE state NOT IN ('receipted', 'rejected', 'unmade', 'vanished');"
            "PRAGMA user_version = 2;"
        )
    journal = Journal(path)
    await journal.open()
    [row] = await journal.all_files()
    await journal.close()
    assert row.duplicate_of is None and row.state is FileState.DISCOVERED
    with sqlite3.connect(path) as conn:
        [index] = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'files_one_active_per_path'"
        ).fetchone()
        assert conn.execute("PRAGMA user_version").fetchone() == (3,)
    assert "'duplicate'" in index, "a duplicate holds no path on its way"


async def test_a_file_renamed_before_the_journal_heard_goes_on_under_its_new_name(
    server, agent_config, rule
):
    """The real pipeline and server: the file is gone from its name when its step needs
    it, and no watch event has told the journal yet. It was ``vanished``, with a false
    "footage lost" alarm; now it is found in its folder and goes on."""
    media = agent_config.watch[0] / "clip.mp4"
    media.write_bytes(os.urandom(5000))
    async with by_hand(agent_config, rule, media) as (pipeline, journal, row):
        row = await pipeline._step(row)  # fingerprinted
        renamed = media.rename(media.with_name("clip-renamed.mp4"))
        row = await pipeline.advance(row)
        notes = [note for *_, note in await journal.events(row.id)]
    assert (row.state, row.path) == (FileState.RECEIPTED, renamed)
    assert f"renamed from {media} to {renamed}" in notes


async def test_a_file_changed_after_hashing_keeps_no_digest_of_its_old_bytes(
    server, agent_config, rule
):
    """Back to ``discovered``, its row forgets the digest: a copy of the old bytes is never
    called a duplicate of footage that is no longer there."""
    media = agent_config.watch[0] / "clip.mp4"
    old = os.urandom(5000)
    media.write_bytes(old)
    async with by_hand(agent_config, rule, media) as (pipeline, journal, row):
        row = await pipeline._step(row)  # fingerprinted
        media.write_bytes(os.urandom(6000))
        await pipeline.advance(row)
        row = await journal.get(row.id)
        assert row.state is FileState.DISCOVERED and row.fingerprint is None
        copy = await hashed(journal, dock(agent_config.watch[1], "copy.mp4", old))
    assert copy.state is FileState.FINGERPRINTED


async def test_a_file_changed_after_hashing_waits_to_settle_with_no_error(
    server, agent_config, rule, caplog
):
    """Back to ``discovered`` the pipeline stops: settling is the watcher's work, not a
    step, so the row carries no error and nothing is logged as a failure."""
    media = agent_config.watch[0] / "clip.mp4"
    media.write_bytes(os.urandom(5000))
    async with by_hand(agent_config, rule, media) as (pipeline, journal, row):
        row = await pipeline._step(row)  # fingerprinted
        media.write_bytes(os.urandom(6000))
        returned = await pipeline.advance(row)
        row = await journal.get(row.id)
    assert returned.state is FileState.DISCOVERED and row.state is FileState.DISCOVERED
    assert (row.error_code, row.error_message, row.attempts) == (None, None, 0)
    assert "unexpected failure" not in caplog.text
