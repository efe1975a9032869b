"""What happens on the dock and on the server's disk, with the real agent and the real
server: the same file docked twice, a file renamed while it is processed, a burst of
5,000 small files (more watch events than the agent queues: its rescan must find them
all), and the server's disk filling up in the middle of a PATCH. Every invariant is
checked after each; what fails only for a defect not fixed yet is marked xfail, strict,
with the defect named."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.states import FileState
from liuhen.faults.proxy import Link
from liuhen.faults.site import Site
from tests.faults.conftest import MIB, check, finish

BURST = 5000


class WrongAnswer(AssertionError):
    """The server answered with a status a defect explains (the xfail's exact cause)."""


async def until(ready, within: float, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + within
    while not ready():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(every)


def redock(copy: Path, target: Path) -> None:
    """Copy ``copy`` into a bay as a dock would: written beside, moved into place."""
    partial = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(copy, partial)
    partial.rename(target)


@pytest.mark.parametrize("where", ["same bay, after the first was freed", "another bay"])
async def test_the_same_file_docked_twice_is_one_recording(site, tmp_path, where):
    """The agent knew files by path and observation, not content: the same bytes docked
    again were signed and stored as a second recording under a new evidence id. Now the
    copy is journaled as a duplicate of the first, with its path, and freed by the
    first's receipt."""
    first = site.put("BWC-0042_0001.bin", 3 * MIB)
    await finish(site)
    kept = tmp_path / "camera-copy.bin"
    shutil.copyfile(first, kept)
    if where == "another bay":
        again = site.bays[1] / first.name
    else:
        first.unlink()
        again = first
    redock(kept, again)
    await finish(site)
    check(site)
    original, duplicate = site.agent_books.files()
    assert original.state is FileState.RECEIPTED and original.safe_to_remove
    assert (duplicate.state, duplicate.duplicate_of, duplicate.path) == (
        FileState.DUPLICATE,
        original.id,
        again,
    )
    assert duplicate.safe_to_remove and duplicate.fingerprint == original.fingerprint


async def test_a_different_file_under_a_freed_name_is_a_new_recording(site, tmp_path):
    """The camera's counter comes round: the same name, other bytes, is other footage."""
    first = site.put("BWC-0042_0001.bin", 3 * MIB)
    await finish(site)
    kept = tmp_path / "first.bin"
    shutil.copyfile(first, kept)
    first.unlink()
    other = tmp_path / "other.bin"
    other.write_bytes(os.urandom(3 * MIB))
    redock(other, first)
    await finish(site)
    check(site, sources=[kept, first])
    rows = site.agent_books.files()
    assert [row.state for row in rows] == [FileState.RECEIPTED] * 2
    assert rows[0].evidence_id != rows[1].evidence_id


async def test_a_file_renamed_while_it_is_hashed_is_one_recording(site):
    """The rename wins the race with the agent at any point before its upload starts.
    The old name's row ended ``vanished`` (a false "footage lost" alarm) and the new name
    was uploaded as a new row; now the row follows the file to its new name."""
    source = site.put("BWC-0042_0001.bin", 120 * MIB)
    site.start_agent()
    await until(
        lambda: any(row.state is FileState.READY for row in site.agent_books.files()),
        30,
        "the file to be ready",
    )
    renamed = source.rename(source.with_name("BWC-0042_0001-renamed.bin"))
    assert await site.agent.wait(60) == 0, site.agent.tail()
    check(site)
    [row] = site.agent_books.files()
    assert (row.state, row.path) == (FileState.RECEIPTED, renamed)


async def test_a_file_renamed_while_it_is_uploaded_is_one_recording(site):
    """It was uploaded to the end under its old row (the agent holds it open) and, under
    its new name, again as a new recording. Now the row follows the file."""
    source = site.put("BWC-0042_0001.bin", 20 * MIB)
    site.proxy.to_server = Link(rate=8_000_000)
    site.start_agent()
    await until(lambda: site.proxy.http.body_bytes["PATCH"] > MIB, 30, "the upload")
    renamed = source.rename(source.with_name("BWC-0042_0001-renamed.bin"))
    assert await site.agent.wait(60) == 0, site.agent.tail()
    check(site)
    [row] = site.agent_books.files()
    assert (row.state, row.path, row.safe_to_remove) == (FileState.RECEIPTED, renamed, True)
    assert "renamed" in site.agent.output()


def tmpfs(where: Path, size: str) -> str | None:
    """Mount a tmpfs of ``size`` at ``where``; None, or why it cannot be (it needs root)."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if mounted.returncode == 0 else mounted.stderr.strip() or "mount failed"


def unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False)


async def test_a_file_ffmpeg_has_no_decoder_for_is_uploaded_as_broken_footage(site):
    """Its stream has no codec context: probing it crashed, and the file was retried for
    ever and never uploaded (found by the burst below, one random file in 65,536)."""
    (site.bays[0] / "BWC-0042_0007.bin").write_bytes(b"\xff\x0a\x0b\x83" + bytes(508))
    await finish(site)
    check(site)
    [row] = site.agent_books.files()
    assert row.media is not None and not row.media.decodable
    assert row.media.problem == "decoding failed: Decoder not found"


@pytest.mark.slow
async def test_a_burst_of_5000_files_overflows_the_watch_and_the_rescan_finds_them_all(tmp_path):
    """5,000 files make about 15,000 watch events, more than the agent queues (10,000):
    the overflow must trigger a rescan that finds every file, once. Where it can, the
    site is on a tmpfs: this is about finding files, and some 80,000 fsyncs of the two
    journals would make it minutes on a slow disk (about 100 s here even so)."""
    root = tmp_path / "site"
    on_tmpfs = tmpfs(root, "1g") is None
    try:
        async with Site(root, agent={"max_parallel": 8, "rescan_seconds": 2.0}) as site:
            await site.start_server()
            site.start_agent(once=False)
            await site.agent.wait_for_output("watching", 30)
            for n in range(BURST):
                (site.bays[n % 2] / f"BWC-{n:05d}.bin").write_bytes(os.urandom(512))

            def all_receipted() -> bool:
                return site.agent_books.states() == {FileState.RECEIPTED.value: BURST}

            await until(all_receipted, 900, f"{BURST} receipts", every=1.0)
            await site.kill_agent()
            assert "watch events overflowed; rescanning now" in site.agent.output()
            rows = site.agent_books.files()
            assert len(rows) == len({row.path for row in rows}) == BURST  # each found once
            check(site, rehash=False)
    finally:
        if on_tmpfs:
            unmount(root)


@pytest.fixture
async def small_disk(tmp_path: Path) -> AsyncIterator[Path]:
    """A 64 MiB tmpfs for the server's data directory (mounting needs root)."""
    disk = tmp_path / "disk"
    refused = tmpfs(disk, "64m")
    if refused is not None:
        pytest.skip(f"cannot mount a small tmpfs for the server here: {refused}")
    try:
        yield disk
    finally:
        unmount(disk)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(bytes(1024 * 1024))
                out.flush()
        except OSError:
            pass  # full
    assert shutil.disk_usage(disk).free < MIB
    return filler


def refused_patches(site: Site) -> int:
    answers = site.proxy.http.answers
    return sum(
        count for (method, status), count in answers.items() if method == "PATCH" and status >= 500
    )


async def test_a_server_disk_full_mid_patch_corrupts_nothing_and_the_agent_finishes(
    tmp_path, small_disk
):
    async with Site(tmp_path, server_dir=small_disk / "server") as site:
        await site.start_server()
        site.put("a.bin", 20 * MIB)
        site.proxy.to_server = Link(rate=8_000_000)
        site.start_agent()
        await until(lambda: site.proxy.http.body_bytes["PATCH"] > 10 * MIB, 30, "the upload")
        filler = fill(small_disk)
        site.put("b.bin", 5 * MIB)  # registered, created and sent while the disk is full
        await until(
            lambda: sum(n for status, n in site.proxy.http.statuses.items() if status >= 500) >= 3,
            30,
            "the server to refuse",
        )
        assert site.agent.running and site.server.running
        filler.unlink()
        assert await site.agent.wait(60) == 0, site.agent.tail()
        check(site, interruptions=1 + refused_patches(site))
        with sqlite3.connect(site.server_books.index_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


async def test_a_full_server_disk_answers_507(tmp_path, small_disk):
    async with Site(tmp_path, server_dir=small_disk / "server") as site:
        await site.start_server()
        filler = fill(small_disk)
        site.put("a.bin", 5 * MIB)
        site.start_agent()
        failed = lambda: {s: n for s, n in site.proxy.http.statuses.items() if s >= 500}  # noqa: E731
        await until(lambda: sum(failed().values()) >= 3, 30, "the server to refuse")
        filler.unlink()
        assert await site.agent.wait(60) == 0, site.agent.tail()
        check(site, interruptions=refused_patches(site))
        if set(failed()) != {507}:
            raise WrongAnswer(f"a full disk was answered with {failed()}, not 507 alone")
