"""The invariant checks catch what they are for. Each starts from a real run (real server,
real agent, all holding) and breaks one thing by hand the way a defect would: a file never
stored, a stored blob altered, a receipt that does not verify, a row freed without one,
a stray or missing partial file, committed bytes that are not the signed ones, an offset
that went back, a chunk too many, memory over its limit."""

from __future__ import annotations

import os
import sqlite3
import uuid

import pytest

from liuhen.faults.checks import check_site, sources_by_evidence
from liuhen.faults.invariants import (
    Invariant,
    Tally,
    check_durable_offsets,
    check_offsets,
    check_orphans,
    check_receipts,
    check_recordings,
    check_resends,
    check_rss,
)
from tests.faults.conftest import MIB, finish

SIZE = 9 * MIB


def violated(tally: Tally) -> set[Invariant]:
    assert tally.checked, "nothing was checked"
    return tally.broken()


@pytest.fixture
async def done(site):
    """A site where one file went all the way, and everything holds."""
    site.put("seizure.bin", SIZE)
    await finish(site)
    assert check_site(site).ok
    return site


async def test_a_file_not_stored_or_stored_twice_or_altered_is_caught(done):
    books = done.server_books
    extra = done.put("never-sent.bin", 1000)
    tally = Tally()
    check_recordings(tally, [*done.sources(), extra], books)
    assert violated(tally) == {Invariant.ONE_RECORDING}
    assert "never-sent.bin" in tally.violations[0][1] and "0 recordings" in tally.violations[0][1]
    extra.unlink()

    tally = Tally()
    check_recordings(tally, [], books)  # a stored original nobody docked
    assert "has no source" in tally.violations[0][1]

    [stored] = books.objects()
    blob = books.blob_path(stored.locator)
    os.chmod(blob, 0o600)
    with open(blob, "r+b") as handle:
        handle.seek(SIZE // 2)
        handle.write(b"\x00" if handle.read(1) != b"\x00" else b"\x01")
    tally = Tally()
    check_recordings(tally, done.sources(), books)
    assert [detail for _, detail in tally.violations] == [
        f"{stored.evidence_id}/original: the store does not hold its {SIZE} bytes "
        f"with sha256 {stored.sha256[:12]}…"
    ]
    tally = Tally()
    check_recordings(tally, done.sources(), books, rehash=False)  # the size still matches
    assert tally.ok


async def test_a_freed_file_without_a_receipt_that_holds_is_caught(done):
    journal = done.agent_books.journal_path
    with sqlite3.connect(journal) as conn:
        conn.execute("UPDATE files SET receipt_signature = zeroblob(64)")
    tally = Tally()
    check_receipts(tally, done.agent_books, done.server_key, done.server_books)
    assert violated(tally) == {Invariant.RECEIPT_FIRST}
    assert "[bad_signature]" in tally.violations[0][1]

    with sqlite3.connect(journal) as conn:
        conn.execute(
            "UPDATE files SET receipt = NULL, receipt_signature = NULL, state = 'uploaded'"
        )
    tally = Tally()
    check_receipts(tally, done.agent_books, done.server_key, done.server_books)
    assert "safe to remove: True): no receipt" in tally.violations[0][1]


async def test_a_duplicate_freed_before_its_original_holds_a_receipt_is_caught(done):
    journal = done.agent_books.journal_path
    with sqlite3.connect(journal) as conn:  # the same bytes in another bay, freed
        conn.execute(
            "INSERT INTO files (path, state, evidence_id, first_seen_at, size, mtime_ns, inode, "
            "unchanged_since, sha256, chunk_size, chunks, root, safe_to_remove, duplicate_of) "
            "SELECT path || '.again', 'duplicate', ?, first_seen_at, size, "
            "mtime_ns, inode + 1, unchanged_since, sha256, chunk_size, chunks, root, 1, id "
            "FROM files WHERE id = 1",
            (str(uuid.uuid4()),),
        )
    tally = Tally()
    check_receipts(tally, done.agent_books, done.server_key, done.server_books)
    assert tally.ok and tally.checked[Invariant.RECEIPT_FIRST] == 2

    with sqlite3.connect(journal) as conn:
        conn.execute("UPDATE files SET state = 'uploaded' WHERE id = 1")
    tally = Tally()
    check_receipts(tally, done.agent_books, done.server_key, done.server_books)
    assert [detail for _, detail in tally.violations] == [
        "seizure.bin.again (original, file 2, duplicate, safe to remove: True): "
        "a duplicate whose original is not receipted"
    ]

    with sqlite3.connect(journal) as conn:
        conn.execute("UPDATE files SET state = 'receipted' WHERE id = 1")
        conn.execute("UPDATE files SET sha256 = ? WHERE id = 2", ("ab" * 32,))
    tally = Tally()
    check_receipts(tally, done.agent_books, done.server_key, done.server_books)
    assert "a duplicate of file 1, whose bytes are other" in tally.violations[0][1]


async def test_stray_and_missing_partial_files_are_caught(done):
    books = done.server_books
    stray = books.uploads_dir / f"{'ab' * 16}.part"
    stray.write_bytes(b"left behind")
    tally = Tally()
    check_orphans(tally, books)
    assert violated(tally) == {Invariant.NO_ORPHANS}
    assert "belongs to no open upload" in tally.violations[0][1]

    stray.unlink()
    with sqlite3.connect(books.index_path) as conn:
        conn.execute("UPDATE uploads SET state = 'open'")
    tally = Tally()
    check_orphans(tally, books)
    assert "has no partial file" in tally.violations[0][1]
    tally = Tally()
    check_durable_offsets(tally, books)
    assert "no partial file" in tally.violations[0][1]


async def test_committed_bytes_that_are_not_the_signed_ones_are_caught(site):
    source = site.put("seizure.bin", SIZE)
    site.start_agent("agent.after_204_before_journal", patch_chunks=1)  # 204 at 8 MiB
    await site.agent.wait(60)
    books = site.server_books
    [upload] = books.uploads()
    assert upload.offset == 8 * MIB
    tally = Tally()
    check_durable_offsets(tally, books, sources_by_evidence(site))
    assert tally.ok and tally.checked[Invariant.OFFSET_DURABLE] == 1

    partial = books.partial_path(upload.upload_id)
    with open(partial, "r+b") as handle:
        handle.seek(100)
        handle.write(b"not what was signed")
    tally = Tally()
    check_durable_offsets(tally, books)
    assert "chunk 0, below the committed offset, is not the signed one" in tally.violations[0][1]

    with open(partial, "r+b") as handle:  # chunk 0 right again; a part-chunk committed
        handle.write(source.read_bytes()[: 8 * MIB])
    with sqlite3.connect(books.index_path) as conn:
        conn.execute("UPDATE uploads SET upload_offset = ?", (8 * MIB + 10,))
    tally = Tally()
    check_durable_offsets(tally, books, sources_by_evidence(site))
    assert "the 10 bytes of chunk 1 below the offset are not the source's" in tally.violations[0][1]


def test_offsets_that_go_back_or_past_the_end_are_caught():
    tally = Tally()
    check_offsets(tally, {"a": [0, 8, 8, 16], "b": [0, 16, 8], "c": [0, 30]}, {"a": 20, "c": 20})
    assert [detail for _, detail in tally.violations] == [
        "upload b: the offset went down 1 time(s), first [(16, 8)]",
        "upload c: offset 30 past its length 20",
    ]


def test_more_than_a_chunk_per_interruption_and_too_much_memory_are_caught():
    tally = Tally()
    check_resends(tally, patch_bytes=100 + 8, stored_bytes=100, interruptions=1, chunk_size=8)
    check_resends(tally, patch_bytes=100 + 9, stored_bytes=100, interruptions=1, chunk_size=8)
    check_rss(tally, "agent", peak_kib=200 * 1024, limit_kib=200 * 1024)
    check_rss(tally, "server", peak_kib=201 * 1024, limit_kib=200 * 1024)
    assert [invariant for invariant, _ in tally.violations] == [
        Invariant.ONE_CHUNK_RESENT,
        Invariant.RSS_BOUNDED,
    ]
    assert "9 re-sent, at most 8 allowed" in tally.violations[0][1]
    assert tally.checked == {Invariant.ONE_CHUNK_RESENT: 2, Invariant.RSS_BOUNDED: 2}
