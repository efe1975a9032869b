"""Two servers sharing one index each sign checkpoints of the custody log (every node of a
cluster runs the checkpoint loop). One node's checkpoint of a larger log, signed between
another's reading of the log and of its latest checkpoint, is no rollback: the later
node signs its own (or takes the larger) and raises no tamper alarm."""

from __future__ import annotations

import dataclasses
from typing import Any

from ingest.custody_log.checkpoints import Checkpointer
from tests.custody.helpers import stored_recording


class _OtherNodeBetween:
    """The custody log as one node reads it, while another node appends and signs right
    after this one has read the log's tree."""

    def __init__(self, log: Any, meanwhile: Any) -> None:
        self._log = log
        self._meanwhile = meanwhile

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)

    async def tree(self) -> Any:
        read = await self._log.tree()
        await self._meanwhile()
        return read


async def test_a_larger_checkpoint_another_node_signed_meanwhile_is_no_rollback(server):
    await stored_recording(server)
    first: Checkpointer = server.ctx.services.checkpoints
    await first.sign_now()
    other = Checkpointer(first.log, first.identity, first.clock, first.cadence)

    async def other_node_appends_and_signs() -> None:
        await stored_recording(server)
        await other.sign_now()

    racing = dataclasses.replace(
        first, log=_OtherNodeBetween(first.log, other_node_appends_and_signs)
    )
    signed = await racing.sign_now()
    latest = await first.log.latest_checkpoint()
    assert latest is not None and signed.size <= latest.size
    assert latest.size == await first.log.size()
    again = await first.sign_now()  # and the log still extends every checkpoint kept
    assert again.size == latest.size
