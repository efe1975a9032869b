"""Commits inside a long PATCH: a PATCH may carry several chunks (the rest of a file, even),
and a server killed half-way must not lose all it had taken. At each chunk boundary the
body goes past, once the three lanes have finished every block up to it (so each chunk up
to it matched the signed list) and the landing has made it durable, its offset is
committed in the index, compare-and-set as the final commit is: durable and verified
first, committed after, never the other way round. The checkpoints run in the background
while the loop keeps receiving, one after another; the first that cannot be made (a lane
failed: a chunk that does not match, a write that failed) ends the chain, so nothing past
a refused chunk is ever committed. A landing that cannot make a boundary durable (S3 keeps
whole parts) skips it; the next may be a part's end."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TypeVar

__all__ = ["Checkpoints", "Commit", "done", "result"]

T = TypeVar("T")
# Move the committed offset from one absolute offset to another (compare-and-set).
Commit = Callable[[int, int], Awaitable[object]]


async def result(future: Future[T]) -> T:
    """A lane's result, waking the loop only if it is not there yet; raises its failure."""
    if not future.done():
        await asyncio.wrap_future(future)
    return future.result()


async def done(future: Future[None]) -> None:
    await result(future)


class Checkpoints:
    def __init__(self, commit: Commit, start: int) -> None:
        self._commit, self._start = commit, start
        self._chain: asyncio.Task[bool] | None = None
        self.committed = 0  # of the PATCH's bytes, committed in the index

    def add(self, size: int, blocks: list[Future[None]], durable: Future[bool]) -> None:
        """Commit ``size`` bytes of the PATCH once ``blocks`` (every block since the last
        boundary, on all three lanes) are done and ``durable`` says they are durable."""
        self._chain = asyncio.ensure_future(self._run(self._chain, size, blocks, durable))

    async def _run(
        self,
        before: asyncio.Task[bool] | None,
        size: int,
        blocks: list[Future[None]],
        durable: Future[bool],
    ) -> bool:
        if before is not None and not await before:
            return False
        try:
            for block in blocks:
                await done(block)
            if not await result(durable):
                return True  # not durable on its own (S3, inside a part): the next may be
        except Exception:  # the lane's failure is the PATCH's: stream_body raises it
            return False
        await self._commit(self._start + self.committed, self._start + size)
        self.committed = size
        return True

    async def settle(self) -> None:
        """Wait for the checkpoints under way: none outlives the PATCH (and its lock).
        Raises a commit's failure (another server moved the offset)."""
        if self._chain is not None:
            await self._chain
