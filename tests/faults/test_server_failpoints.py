"""Each server failpoint kills the real server (``liuhen ingest serve``, its own process)
at its moment of an upload; the server is started again without it, the agent (which
kept running, retrying) must finish, and every invariant must hold. The books the crash
left are checked before the restart: what was committed is durable, and the only orphan a
crash may leave is the partial file of the two moments that leave one, which the restart
reclaims (``ingest/uploads/orphans.py``)."""

from __future__ import annotations

import re
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from evidence.errors import ConfigError
from ingest import failpoints
from liuhen.faults.checks import sources_by_evidence
from liuhen.faults.invariants import Invariant, Tally, check_durable_offsets, check_orphans
from liuhen.faults.site import Site
from tests.faults.conftest import MIB, check, sampler_for

SIZE = 20 * MIB + 12345  # three chunks, the last one short
INGEST = Path(failpoints.__file__).parent


@pytest.fixture
async def down(tmp_path: Path) -> AsyncIterator[Site]:
    """A site whose server each test starts itself, with its failpoint armed. Its agent
    sends one chunk per PATCH, so that a failpoint's n-th hit (the failpoints sit at a
    PATCH's end) is the n-th chunk. A server killed inside a PATCH of several chunks,
    which commits at each chunk boundary as the body comes, is
    ``test_killed_mid_patch.py``'s."""
    async with Site(tmp_path, agent={"patch_chunks": 1}) as site:
        yield site


async def killed_at(site: Site, point: str, *, orphans: int = 0) -> Tally:
    """Start the server with ``point`` armed and the agent: the server must die by it.
    The crashed books must hold, but for ``orphans`` partial files nobody will finish."""
    await site.start_server(point)
    site.start_agent()
    code = await site.server.wait(60)
    assert code == -signal.SIGKILL, site.server.tail()
    assert f"failpoint {point.split('=')[0]}" in site.server.output()
    tally = Tally()
    check_durable_offsets(tally, site.server_books, sources_by_evidence(site))
    check_orphans(tally, site.server_books)
    assert [i for i, _ in tally.violations] == [Invariant.NO_ORPHANS] * orphans, tally.violations
    return tally


async def restarted(site: Site) -> None:
    await site.start_server()
    assert await site.agent.wait(60) == 0, site.agent.tail()


@pytest.mark.parametrize(
    ("point", "offset"),
    [
        (f"{failpoints.AFTER_WRITE}=kill@2", 8 * MIB),  # the second chunk written, not synced
        (f"{failpoints.AFTER_FSYNC}=kill@2", 8 * MIB),  # synced, its offset not committed
    ],
    ids=["after_write", "after_fsync"],
)
async def test_killed_before_the_offset_commit_the_chunk_is_sent_again(down, point, offset):
    down.put("seizure.bin", SIZE)
    async with sampler_for(down) as sampler:
        await killed_at(down, point)
        [upload] = down.server_books.uploads()
        assert (upload.state, upload.offset) == ("open", offset)
        await restarted(down)
    check(down, sampler=sampler, interruptions=1)
    assert SIZE < down.proxy.http.body_bytes["PATCH"] <= SIZE + 8 * MIB


async def test_killed_after_the_commit_before_the_reply_nothing_is_sent_again(down):
    down.put("seizure.bin", SIZE)
    async with sampler_for(down) as sampler:
        await killed_at(down, f"{failpoints.AFTER_COMMIT}=kill@2")
        [upload] = down.server_books.uploads()
        assert upload.offset == 16 * MIB  # committed: the agent learns it with HEAD
        await restarted(down)
    check(down, sampler=sampler, interruptions=1)
    assert down.proxy.http.body_bytes["PATCH"] == SIZE


async def test_killed_after_allocation_before_the_index_row_the_restart_reclaims_it(down):
    """The defect of issue 10: a partial file no index row names was never removed."""
    down.put("seizure.bin", SIZE)
    await killed_at(down, failpoints.AFTER_ALLOCATION, orphans=1)
    assert down.server_books.uploads() == []
    [orphan] = down.server_books.partial_files()
    await restarted(down)
    assert not orphan.exists()
    assert f"orphan partial file of upload {orphan.stem} removed" in down.server.output()
    check(down, interruptions=1)


@pytest.mark.parametrize(
    "point",
    [failpoints.MID_FINALIZE, failpoints.AFTER_RECEIPT],
    ids=["mid_finalize", "after_receipt"],
)
async def test_killed_in_finalize_before_indexing_finalize_again_stores_it_once(down, point):
    down.put("seizure.bin", SIZE)
    await killed_at(down, point)
    [upload] = down.server_books.uploads()
    assert (upload.state, upload.offset) == ("open", SIZE)  # every byte in, nothing indexed
    assert down.server_books.objects() == []
    await restarted(down)
    check(down, interruptions=1)
    assert down.proxy.http.body_bytes["PATCH"] == SIZE


async def test_killed_after_indexing_before_the_partial_is_removed_the_restart_reclaims_it(down):
    """Found by the chaos run: a finalized upload's partial file, a second name of the
    stored original. Only that name goes; the stored blob is re-read by the check."""
    down.put("seizure.bin", SIZE)
    await killed_at(down, failpoints.AFTER_INDEX, orphans=1)
    [upload] = down.server_books.uploads()
    assert upload.state == "finalized"
    [orphan] = down.server_books.partial_files()
    await restarted(down)
    assert not orphan.exists()
    assert "(its upload is finalized)" in down.server.output()
    check(down, interruptions=1)


def test_every_named_point_is_placed_in_the_server_and_every_placed_one_named():
    constants = {
        name
        for name, value in vars(failpoints).items()
        if isinstance(value, str) and value in failpoints.NAMES
    }
    placed: set[str] = set()
    for source in INGEST.rglob("*.py"):
        if source.name != "failpoints.py":
            placed |= set(re.findall(r"failpoints\.hit\(failpoints\.(\w+)\)", source.read_text()))
    assert placed == constants
    assert len(constants) == len(failpoints.NAMES)


def test_the_server_arms_its_own_points_and_passes_over_the_agents():
    points = failpoints.parse("agent.mid_patch, server.mid_finalize=kill@2")
    assert {name: (p.action, p.at) for name, p in points.items()} == {
        failpoints.MID_FINALIZE: ("kill", 2)
    }
    with pytest.raises(ConfigError, match=r"no failpoint 'server\.mid_finalise'") as raised:
        failpoints.parse("server.mid_finalise")
    assert raised.value.code == "bad_config"
