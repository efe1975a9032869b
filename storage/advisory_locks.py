"""Locks by key shared by every server on one PostgreSQL index (``ingest/locks.py``'s
``KeyedLocks``): session-level advisory locks on a connection of their own.

- **A dead node frees its locks**: a session-level lock lasts as long as the session that
  took it, so a server killed mid-PATCH (SIGKILL, power lost) holds nothing once
  PostgreSQL sees its connection drop, and another node takes the upload. Not the index's
  connection: its transactions take and release their own transaction-scoped lock.
- **One key, one number**: the first 8 bytes of the key's SHA-256, a bigint advisory lock
  (``objsubid = 1`` in ``pg_locks``; the index's writers' lock is one fixed number).
- **Never blocking the connection**: every statement on it is short. Taking a lock is
  ``pg_try_advisory_lock``, retried every ``poll_seconds`` by a caller that waits, so a
  release is never queued behind somebody's wait. A key is first taken in this process
  (an asyncio lock), because one session may take the same advisory lock twice.
- **Who holds what**: the connection's ``application_name`` is ``liuhen locks <host>
  <pid>``; ``pg_locks`` joined with ``pg_stat_activity`` on ``pid`` names the server.
- **The connection drops** (PostgreSQL restarted, the network cut): the locks it held are
  gone with it; a request that held one finishes under the index's compare-and-set on
  offsets and states, which keeps a race from corrupting anything, as it did before locks
  were shared. Taking a lock while PostgreSQL is unreachable is ``index_unavailable``
  (503), and the next call connects again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg

from evidence.errors import IndexUnavailable, Locked, StorageFailure

__all__ = ["AdvisoryLocks", "lock_number"]

log = logging.getLogger(__name__)

_TRY = "SELECT pg_try_advisory_lock(%s)"
_UNLOCK = "SELECT pg_advisory_unlock(%s)"
# Whether any session of this database holds the bigint advisory lock (classid: its high
# 32 bits, objid: its low 32 bits).
_HELD = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND objsubid = 1 AND classid::bigint = %s AND objid::bigint = %s"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
)


def lock_number(key: str) -> int:
    """The advisory lock's number for ``key``: a signed 64-bit integer."""
    digest = hashlib.sha256(b"liuhen lock\0" + key.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryLocks:
    def __init__(self, dsn: str, *, poll_seconds: float = 0.05, where: str = "") -> None:
        self._dsn = dsn
        self._where = where or "the index's PostgreSQL"
        self._poll = poll_seconds
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._statement = asyncio.Lock()  # one statement at a time on the connection
        self._local: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._undoing: set[asyncio.Task[None]] = set()
        # Which server holds what: pg_stat_activity.application_name of the lock's pid.
        self.name = f"liuhen locks {socket.gethostname()} {os.getpid()}"

    def _local_lock(self, key: str) -> asyncio.Lock:
        lock = self._local.get(key)
        if lock is None:
            lock = self._local[key] = asyncio.Lock()
        return lock

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        self._conn = None
        if conn is not None:
            await conn.close()
        self._conn = await psycopg.AsyncConnection.connect(
            self._dsn, autocommit=True, application_name=self.name
        )
        return self._conn

    async def _ask(self, sql: str, params: tuple[int, ...]) -> bool:
        async with self._statement:
            try:
                conn = await self._connection()
                row = await (await conn.execute(sql, params)).fetchone()
            except psycopg.OperationalError as exc:
                raise IndexUnavailable(
                    f"the upload locks on {self._where} are unreachable: {exc}"
                ) from exc
            except psycopg.Error as exc:
                raise StorageFailure(f"the upload locks on {self._where}: {exc}") from exc
        return row is not None and bool(row[0])

    async def _try(self, number: int) -> bool:
        """One attempt; a caller cancelled meanwhile leaves no lock taken for nobody."""
        attempt = asyncio.ensure_future(self._ask(_TRY, (number,)))
        try:
            return await asyncio.shield(attempt)
        except asyncio.CancelledError:
            attempt.add_done_callback(lambda done: self._undo(done, number))
            raise

    def _undo(self, attempt: asyncio.Future[bool], number: int) -> None:
        if attempt.cancelled() or attempt.exception() is not None or not attempt.result():
            return
        task = asyncio.ensure_future(self._release(number))
        self._undoing.add(task)
        task.add_done_callback(self._undoing.discard)

    async def _release(self, number: int) -> None:
        try:
            await self._ask(_UNLOCK, (number,))
        except IndexUnavailable:
            log.warning("upload lock %d went with its connection to PostgreSQL", number)

    async def _take(self, key: str, number: int, wait: bool) -> None:
        while not await self._try(number):
            if not wait:
                raise Locked(f"{key} is taking another request; retry after it")
            await asyncio.sleep(self._poll)

    @asynccontextmanager
    async def hold(self, key: str, *, wait: bool = True) -> AsyncIterator[None]:
        local = self._local_lock(key)
        if not wait and local.locked():
            raise Locked(f"{key} is taking another request; retry after it")
        async with local:
            number = lock_number(key)
            await self._take(key, number, wait)
            try:
                yield
            finally:
                await asyncio.shield(self._release(number))

    async def held(self, key: str) -> bool:
        """Whether a request on any server holds ``key`` now."""
        local = self._local.get(key)
        if local is not None and local.locked():
            return True
        number = lock_number(key) & 0xFFFF_FFFF_FFFF_FFFF
        return await self._ask(_HELD, (number >> 32, number & 0xFFFF_FFFF))

    async def close(self) -> None:
        if self._undoing:
            await asyncio.gather(*self._undoing, return_exceptions=True)
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
