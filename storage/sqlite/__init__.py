"""The embedded index: one SQLite file (WAL, synchronous=FULL)."""

from __future__ import annotations

from pathlib import Path

from storage.sqlite.compliance import SqliteCompliance
from storage.sqlite.credentials import SqliteCredentials
from storage.sqlite.database import SqliteDatabase
from storage.sqlite.devices import SqliteDevices
from storage.sqlite.flags import SqliteFlags
from storage.sqlite.media import SqliteMedia
from storage.sqlite.objects import SqliteObjects
from storage.sqlite.uploads import SqliteUploads

__all__ = ["SqliteIndex", "open_sqlite_index"]


class SqliteIndex:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        self.devices = SqliteDevices(db)
        self.credentials = SqliteCredentials(db)
        self.uploads = SqliteUploads(db)
        self.objects = SqliteObjects(db)
        self.flags = SqliteFlags(db)
        self.media = SqliteMedia(db)
        self.compliance = SqliteCompliance(db)

    async def close(self) -> None:
        await self._db.close()


async def open_sqlite_index(path: Path) -> SqliteIndex:
    db = SqliteDatabase(path)
    await db.open()
    return SqliteIndex(db)
