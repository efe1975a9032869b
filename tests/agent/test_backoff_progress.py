"""Backoff resets while an upload makes progress (issue 10). In the field, on a flaky link
each attempt moved 6-16 MB in under a second, yet the waits grew to 211 s, and 300 MB was
unfinished after 10 minutes. A real server behind a relay that cuts the link
every 1.5 chunks (so each attempt gets exactly one chunk through), the real agent."""

from __future__ import annotations

import dataclasses
import logging
import os
import time

import pytest

from agent.states import FileState
from evidence.digest import CHUNK_SIZE
from liuhen.faults.relay import Cut
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.fault_proxy import FaultProxy


class CuttingRelay(FaultProxy):
    """Resets the connection carrying the byte at every ``every`` bytes towards the
    server, however many connections the client opens: with ``every`` 1.5 chunks, each
    attempt gets exactly one whole chunk through."""

    def __init__(self, target_url: str, every: int) -> None:
        super().__init__(target_url)
        self.every = every
        self.cuts = 0
        self.cut(every, reset=True)

    def _count_up(self, size: int) -> Cut | None:
        cut = super()._count_up(size)
        if cut is not None:  # the relay resets both sides; arm the next cut
            self.cuts += 1
            self.cut(self.every, reset=True)
        return cut


# One chunk per PATCH: each attempt's one whole chunk is kept (the half after it, sent
# with Upload-Checksum, is not), so five cuts. Eight: a body without Upload-Checksum, of
# which the server keeps what arrived, so each attempt keeps about 1.5 chunks: four cuts.
@pytest.mark.parametrize(("patch_chunks", "cuts"), [(1, 5), (8, 4)])
async def test_an_upload_cut_short_again_and_again_retries_quickly_while_it_moves(
    server, agent_config, rule, caplog, patch_chunks, cuts
):
    data = os.urandom(6 * CHUNK_SIZE + 1234)
    caplog.set_level(logging.WARNING, logger="agent.setbacks")
    async with CuttingRelay(server.url, every=CHUNK_SIZE * 3 // 2) as relay:
        config = dataclasses.replace(
            agent_config,
            server_url=relay.url,
            retry_base_seconds=1.5,
            retry_cap_seconds=120.0,
            patch_chunks=patch_chunks,
        )
        (config.watch[0] / "long.mp4").write_bytes(data)
        async with running_agent(config, rule) as service:
            await wait_for_rows(
                service.journal,
                lambda rows: bool(rows) and rows[0].state is FileState.UPLOADING,
                within=60,
            )
            started = time.monotonic()
            rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
            took = time.monotonic() - started
    [row] = originals(rows)
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [data]
    assert relay.cuts == cuts, "the link cut the upload after each chunk it let through"
    assert relay.bytes_to_server <= len(data) + relay.cuts * CHUNK_SIZE + 1024 * 1024
    # Five waits of at most 1.5 s each; growing waits took 23 s at the very least.
    assert took < 18, f"{took:.1f} s for {len(data)} bytes with {relay.cuts} cuts"
    retries = [r.getMessage() for r in caplog.records if "; retry in " in r.getMessage()]
    assert len(retries) >= relay.cuts - 1
    assert all("(failure 1 in a row" in line for line in retries), retries  # no wait grew
    # One chunk per PATCH: each attempt hears its own chunk's 204. Several: what the server
    # kept of a cut body is heard at the next attempt's HEAD, so from the second retry on.
    heard = retries if patch_chunks == 1 else retries[1:]
    assert all("(failure 1 in a row, after progress)" in line for line in heard), retries
    assert row.upload_offset == len(data)
