"""Locks by key, for what one request at a time may do: an upload's PATCH, finalize,
termination or expiry (key ``upload <id>``), and a device's upload creations and manifest
registrations (``quota of <device>``, ``chain of <device>``: what the quota or chain read
says must still hold when the write is made).

``KeyedLocks`` is the interface; ``InProcessLocks`` keeps the locks in this process, which
is enough while one server process serves an index (SQLite). Several nodes sharing a
PostgreSQL index share its advisory locks instead (``storage/advisory_locks.py``, chosen
by ``locks_for``); the index's compare-and-set on offsets and states keeps a race from
corrupting anything whatever the locks do.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from evidence.errors import Locked
from evidence.identifiers import DeviceId

__all__ = [
    "InProcessLocks",
    "KeyedLocks",
    "chain_key",
    "locks_for",
    "quota_key",
    "upload_key",
]


def upload_key(upload_id: str) -> str:
    return f"upload {upload_id}"


def quota_key(device_id: DeviceId) -> str:
    return f"quota of {device_id}"


def chain_key(device_id: DeviceId) -> str:
    return f"chain of {device_id}"


class KeyedLocks(Protocol):
    def hold(self, key: str, *, wait: bool = True) -> AbstractAsyncContextManager[None]:
        """Hold the lock named ``key`` for the block: wait for it, or with ``wait=False``
        refuse at once with ``Locked`` (423) if another holds it."""
        ...

    async def held(self, key: str) -> bool:
        """Whether a request holds ``key`` now (on any server sharing the locks)."""
        ...

    async def close(self) -> None:
        """Let go of what the locks hold open (a connection)."""
        ...


class InProcessLocks:
    """One asyncio lock per key in this process, forgotten when nobody holds or waits."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def held(self, key: str) -> bool:
        """Whether a request holds ``key`` now (HEAD says so: ``tus_wire.BUSY_HEADER``)."""
        lock = self._locks.get(key)
        return lock is not None and lock.locked()

    @asynccontextmanager
    async def hold(self, key: str, *, wait: bool = True) -> AsyncIterator[None]:
        lock = self._lock(key)
        if not wait and lock.locked():
            raise Locked(f"{key} is taking another request; retry after it")
        async with lock:
            yield

    async def close(self) -> None:
        pass


def locks_for(index: str, dsn: str) -> KeyedLocks:
    """The locks the servers sharing an index share: PostgreSQL's advisory locks on a
    PostgreSQL index (every node of a cluster), else this process's. Connects lazily."""
    if index != "postgres":
        return InProcessLocks()
    from storage.advisory_locks import AdvisoryLocks  # psycopg only where chosen

    return AdvisoryLocks(dsn)
