"""Each agent failpoint kills the real agent (``liuhen agent run``, its own process) at its
moment; the agent is started again without it and must finish, and every invariant must
hold: one recording per file with its SHA-256, a verified receipt before anything is safe
to remove, offsets that never go back, no orphan partial files, at most one chunk re-sent
for the kill, memory bounded. Each test also checks what its moment in particular risks."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime

import pytest

from agent import failpoints
from agent.states import FileState
from devices.footage import write_clip
from evidence.identifiers import Role
from liuhen.faults.checks import sources_by_evidence
from liuhen.faults.invariants import Tally, check_durable_offsets, check_orphans
from tests.faults.conftest import MIB, assert_holds, check, finish, sampler_for

SIZE = 20 * MIB + 12345  # three chunks, the last one short


async def killed_at(site, point: str, within: float = 60) -> None:
    """Run the agent with ``point`` armed: it must die by it. The server's books must
    already hold: what it committed is in its partial files, and nothing is orphaned."""
    site.start_agent(point)
    code = await site.agent.wait(within)
    assert code == -signal.SIGKILL, site.agent.tail()
    assert f"failpoint {point.split('=')[0]}" in site.agent.output()
    tally = Tally()
    check_durable_offsets(tally, site.server_books, sources_by_evidence(site))
    check_orphans(tally, site.server_books)
    assert_holds(tally)


async def test_killed_after_creation_before_the_url_is_saved(site):
    site.put("seizure.bin", SIZE)
    async with sampler_for(site) as sampler:
        await killed_at(site, failpoints.AFTER_CREATE)
        [row] = site.agent_books.files()
        assert (row.state, row.upload_url) == (FileState.UPLOADING, None)
        await finish(site)
    check(site, sampler=sampler, interruptions=1)
    # The second creation found the first upload: one upload, no second partial file.
    assert [upload.state for upload in site.server_books.uploads()] == ["finalized"]
    assert site.proxy.http.body_bytes["PATCH"] == SIZE


async def test_killed_mid_patch(site):
    site.agent_options["patch_chunks"] = 1  # each chunk its own PATCH, with Upload-Checksum
    site.put("seizure.bin", SIZE)
    async with sampler_for(site) as sampler:
        # The 10th MiB boundary inside a body: half-way through the second chunk.
        await killed_at(site, f"{failpoints.MID_PATCH}=kill@10")
        [upload] = site.server_books.uploads()
        assert upload.offset == 8 * MIB  # the cut-off chunk was not committed
        await asyncio.sleep(0.3)
        assert sampler.samples[upload.upload_id][-1] == 8 * MIB  # HEAD says so too
        await finish(site)
    check(site, sampler=sampler, interruptions=1)
    assert SIZE < site.proxy.http.body_bytes["PATCH"] <= SIZE + 8 * MIB


async def test_killed_mid_a_patch_of_several_chunks(site):
    site.put("seizure.bin", SIZE)  # one PATCH of three chunks, without Upload-Checksum
    async with sampler_for(site) as sampler:
        # The 10th MiB boundary inside the body: half-way through its second chunk.
        await killed_at(site, f"{failpoints.MID_PATCH}=kill@10")
        [upload] = site.server_books.uploads()
        # The server kept what arrived of the cut body: at least its first chunk, at most
        # the 10 MiB the agent had sent.
        assert 8 * MIB <= upload.offset <= 10 * MIB
        await asyncio.sleep(0.3)
        assert sampler.samples[upload.upload_id][-1] == upload.offset  # HEAD says so too
        await finish(site)
    check(site, sampler=sampler, interruptions=1)
    # Sent again: at most what was on its way, past the offset the server kept.
    assert SIZE <= site.proxy.http.body_bytes["PATCH"] <= SIZE + 10 * MIB - upload.offset


@pytest.mark.parametrize(("patch_chunks", "hit"), [(1, 2), (2, 1)], ids=["1-chunk", "2-chunk"])
async def test_killed_after_a_204_before_the_journal(site, patch_chunks, hit):
    site.agent_options["patch_chunks"] = patch_chunks
    site.put("seizure.bin", SIZE)
    async with sampler_for(site) as sampler:
        await killed_at(site, f"{failpoints.AFTER_204}=kill@{hit}")  # 16 MiB acknowledged
        [upload] = site.server_books.uploads()
        assert upload.offset == 16 * MIB
        await finish(site)
    check(site, sampler=sampler, interruptions=1)
    # The agent asks the server where it is: nothing acknowledged is sent again.
    assert site.proxy.http.body_bytes["PATCH"] == SIZE


async def test_killed_after_finalize_before_the_receipt_is_saved(site):
    site.put("seizure.bin", SIZE)
    async with sampler_for(site) as sampler:
        await killed_at(site, failpoints.AFTER_FINALIZE)
        [row] = site.agent_books.files()
        assert (row.state, row.receipt, row.safe_to_remove) == (FileState.UPLOADED, None, False)
        [stored] = site.server_books.objects()  # the server had stored and receipted it
        await finish(site)
    check(site, sampler=sampler, interruptions=1)
    [row] = site.agent_books.files()
    assert row.state is FileState.RECEIPTED and row.safe_to_remove
    assert site.server_books.objects() == [stored]  # finalize again was the same receipt
    assert site.proxy.http.body_bytes["PATCH"] == SIZE


async def test_killed_while_hashing(site):
    site.put("seizure.bin", SIZE)
    await killed_at(site, f"{failpoints.WHILE_HASHING}=kill@5")
    [row] = site.agent_books.files()
    assert (row.state, row.fingerprint, row.manifest) == (FileState.READY, None, None)
    assert site.server_books.uploads() == []
    await finish(site)
    check(site, interruptions=1)
    [row] = site.agent_books.files()
    assert row.signed(site.server_books.rule).manifest.sequence == 1  # nothing was burned


async def test_killed_while_making_the_review_copy(site):
    clip = site.bays[0] / "hearing.mp4"
    write_clip(
        clip, seconds=4, started_at=datetime(2026, 3, 12, 1, 30, tzinfo=UTC), width=320, height=240
    )
    site.agent_options["make_proxies"] = True
    await killed_at(site, f"{failpoints.WHILE_REVIEW_COPY}=kill@30", within=120)
    rows = site.agent_books.files()
    assert [(row.role, row.state) for row in rows] == [
        (Role.ORIGINAL, FileState.RECEIPTED),
        (Role.PROXY, FileState.READY),
    ]
    assert not rows[0].safe_to_remove  # its review copy is not done
    derived = site.agent_dir / "derived"
    assert [path.name for path in derived.rglob("*") if path.is_file()] == ["review.mp4.partial"]
    await finish(site, within=120)
    check(site, interruptions=1, sources=[clip])
    rows = site.agent_books.files()
    assert [(row.role, row.state) for row in rows] == [
        (Role.ORIGINAL, FileState.RECEIPTED),
        (Role.PROXY, FileState.RECEIPTED),
    ]
    assert rows[0].safe_to_remove
    assert [path for path in derived.rglob("*") if path.is_file()] == []  # nothing left behind
    assert {stored.role for stored in site.server_books.objects()} == {"original", "proxy"}
