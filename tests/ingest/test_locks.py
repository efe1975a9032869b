"""Locks by key (``ingest/locks.py``), without a server: what one request at a time may
do to an upload, a device's quota or its chain."""

import asyncio

import pytest

from evidence.errors import Locked
from ingest.locks import InProcessLocks, KeyedLocks, chain_key, quota_key, upload_key


async def test_a_held_key_refuses_at_once_a_caller_that_will_not_wait():
    locks: KeyedLocks = InProcessLocks()
    async with locks.hold(upload_key("ab" * 16)):
        with pytest.raises(Locked, match=r"upload (ab)+ is taking another request"):
            async with locks.hold(upload_key("ab" * 16), wait=False):
                pass
        async with locks.hold(upload_key("cd" * 16), wait=False):
            pass  # another key is free
    async with locks.hold(upload_key("ab" * 16), wait=False):
        pass  # and so is this one, once released


async def test_a_caller_that_waits_gets_the_lock_when_it_is_released():
    locks = InProcessLocks()
    order: list[str] = []

    async def second() -> None:
        async with locks.hold("chain of dock-1"):
            order.append("second")

    async with locks.hold("chain of dock-1"):
        waiting = asyncio.create_task(second())
        await asyncio.sleep(0)  # let it reach the lock and wait there
        assert not waiting.done()
        order.append("first")
    await waiting
    assert order == ["first", "second"]


async def test_a_failure_inside_releases_the_lock():
    locks = InProcessLocks()
    with pytest.raises(RuntimeError):
        async with locks.hold("k"):
            raise RuntimeError("the request failed")
    async with locks.hold("k", wait=False):
        pass


def test_each_thing_locked_has_a_key_of_its_own():
    keys = {upload_key("dock-1"), quota_key("dock-1"), chain_key("dock-1")}  # type: ignore[arg-type]
    assert len(keys) == 3
