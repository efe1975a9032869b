"""Upload locks shared through PostgreSQL's advisory locks (storage/advisory_locks.py), on
the session's real cluster: another process that holds a key is seen here and refuses a
caller that will not wait; killed with SIGKILL, its locks go with its connection."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest

from evidence.errors import IndexUnavailable, Locked
from ingest.locks import InProcessLocks, locks_for, upload_key
from storage.advisory_locks import AdvisoryLocks, lock_number
from tests.postgres import TestPostgres

KEY = upload_key("ab" * 16)

# Another server process: it takes the key and says so, then holds it until killed.
_HOLDER = """
import asyncio, sys
from storage.advisory_locks import AdvisoryLocks

async def main():
    locks = AdvisoryLocks(sys.argv[1])
    async with locks.hold(sys.argv[2]):
        print("held", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


@pytest.fixture
def dsn(postgres: TestPostgres) -> str:
    return postgres.new_database()["dsn"]


@pytest.fixture
def holder(dsn: str):
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, dsn, KEY], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()
    process.stdout.close()


async def _until_free(locks: AdvisoryLocks, key: str, within: float = 10.0) -> float:
    started = time.monotonic()
    while await locks.held(key):
        assert time.monotonic() - started < within, f"{key} still held after {within} s"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_a_key_another_process_holds_is_seen_and_refuses_a_caller_that_will_not_wait(
    dsn, holder
):
    locks = AdvisoryLocks(dsn)
    try:
        assert await locks.held(KEY)
        assert not await locks.held(upload_key("cd" * 16))
        with pytest.raises(Locked, match=r"upload (ab)+ is taking another request") as caught:
            async with locks.hold(KEY, wait=False):
                pass
        assert caught.value.code == "upload_locked"
        async with locks.hold(upload_key("cd" * 16), wait=False):
            pass  # another key is free
    finally:
        await locks.close()


async def test_a_holder_killed_with_sigkill_releases_its_lock_and_a_waiter_takes_it(dsn, holder):
    locks = AdvisoryLocks(dsn, poll_seconds=0.02)
    try:
        waiter = asyncio.create_task(_take_and_say(locks))
        await asyncio.sleep(0.3)
        assert not waiter.done()  # waiting for the other process
        os.kill(holder.pid, signal.SIGKILL)
        assert await asyncio.wait_for(waiter, 10) == "taken"
    finally:
        await locks.close()
    other = AdvisoryLocks(dsn)
    try:
        await _until_free(other, KEY)  # and let go with our connection
    finally:
        await other.close()


async def _take_and_say(locks: AdvisoryLocks) -> str:
    async with locks.hold(KEY):
        observer = AdvisoryLocks(locks._dsn)  # another server sees it ours now
        try:
            return "taken" if await observer.held(KEY) else "not seen"
        finally:
            await observer.close()


async def test_one_process_takes_a_key_for_one_request_at_a_time(dsn):
    """A session may take an advisory lock twice: the process's own lock comes first."""
    locks = AdvisoryLocks(dsn)
    try:
        async with locks.hold(KEY):
            with pytest.raises(Locked, match="taking another request"):
                async with locks.hold(KEY, wait=False):
                    pass
        async with locks.hold(KEY, wait=False):
            pass
        assert not await locks.held(KEY)
    finally:
        await locks.close()


async def test_a_request_cancelled_while_taking_the_lock_leaves_it_free(dsn):
    locks, other = AdvisoryLocks(dsn), AdvisoryLocks(dsn)
    try:
        async with locks.hold(upload_key("cd" * 16)):
            pass  # connected: the cancellations below fall while the lock is being taken
        for pause in range(30):
            task = asyncio.create_task(_take_and_say(locks))
            for _ in range(pause % 6):
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0.2)  # a lock taken for a cancelled caller is let go meanwhile
        assert not await other.held(KEY)  # while our connection is still open
    finally:
        await locks.close()
        await other.close()


async def test_unreachable_postgresql_is_index_unavailable(postgres: TestPostgres):
    locks = AdvisoryLocks(f"host=127.0.0.1 port={postgres.port + 1} dbname=x connect_timeout=2")
    try:
        with pytest.raises(IndexUnavailable, match="upload locks") as caught:
            async with locks.hold(KEY):
                pass
        assert caught.value.code == "index_unavailable"
    finally:
        await locks.close()


def test_each_key_has_a_lock_number_of_its_own_and_the_index_chooses_them():
    assert lock_number(KEY) != lock_number(upload_key("cd" * 16))
    assert -(2**63) <= lock_number(KEY) < 2**63
    assert isinstance(locks_for("postgres", "host=nowhere"), AdvisoryLocks)
    assert isinstance(locks_for("sqlite", ""), InProcessLocks)
