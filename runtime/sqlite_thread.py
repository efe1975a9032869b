"""One SQLite connection, driven from one dedicated thread (used by the agent's journal
and the server's SQLite index).

sqlite3 is blocking and a connection belongs to the thread that made it, so every call
runs on a single-worker executor: the event loop never blocks, and writes are serialised
the way SQLite wants them. sqlite3 errors become the caller's error class here, once; a
full disk (SQLITE_FULL) becomes ``InsufficientStorage`` (507) where that is one of the
caller's class, so a client hears the disk is full and backs off, not a server fault.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from evidence.errors import InsufficientStorage, LiuhenError
from runtime.cpu_account import Section
from runtime.private_files import ensure_private_file, make_private, make_private_dirs

__all__ = ["SqliteReader", "SqliteThread", "transaction"]

T = TypeVar("T")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _make_private(path: Path) -> None:
    """The database file exists, 0600, before SQLite opens it: SQLite gives its WAL and
    SHM files the database's mode. Files left open to others by an earlier version are
    tightened, the WAL and SHM too."""
    make_private_dirs(path.parent)
    ensure_private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            make_private(companion)


class SqliteThread:
    def __init__(self, path: Path, schema: str, error: type[LiuhenError]) -> None:
        self.path = path
        self._schema = schema
        self._error = error
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sqlite-{path.stem}")
        self._conn: sqlite3.Connection | None = None

    async def open(self) -> None:
        self._conn = await self._submit(self._connect)

    def _connect(self) -> sqlite3.Connection:
        _make_private(self.path)
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        self._prepare(conn)
        conn.executescript(self._schema)
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Reshape what the schema script cannot (it only creates what is missing): a
        subclass's migrations run here, before the script, on every open."""

    async def _submit(self, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, self._counted, fn)
        except LiuhenError:
            raise
        except sqlite3.Error as exc:
            raise self._translated(exc) from exc

    def _counted(self, fn: Callable[[], T]) -> T:
        with Section(f"sqlite.{self.path.stem}"):
            return fn()

    def _translated(self, exc: sqlite3.Error) -> LiuhenError:
        full = getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        if full and issubclass(InsufficientStorage, self._error):
            return InsufficientStorage(f"{self.path.name}: {exc} (no room on its disk)")
        return self._error(f"{self.path.name}: {exc}")

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        if conn is None:
            raise self._error(f"{self.path.name} is not open")
        return await self._submit(lambda: fn(conn))

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._submit(conn.close)
        self._executor.shutdown(wait=True)


class SqliteReader(SqliteThread):
    """A second connection, for reads only (``PRAGMA query_only``), to a database a
    SqliteThread keeps open: in WAL mode it reads on its own thread while the first one
    reads or writes, so a long report's other sections run beside its main query (two
    cores). It creates, upgrades and tightens nothing: the first connection did."""

    def __init__(self, path: Path, error: type[LiuhenError]) -> None:
        super().__init__(path, "", error)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only = ON")
        return conn
