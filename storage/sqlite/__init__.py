"""The embedded index: one SQLite file (WAL, synchronous=FULL)."""

from __future__ import annotations

from pathlib import Path

from evidence.errors import StorageFailure
from evidence.footage_findings import DEFAULT_CLAIM_TOLERANCE_SECONDS
from runtime.sqlite_thread import SqliteReader
from storage.sqlite.accounts import SqliteAccounts
from storage.sqlite.catch_up import SqliteCatchUp
from storage.sqlite.compliance import SqliteCompliance
from storage.sqlite.credentials import SqliteCredentials
from storage.sqlite.custody_log import SqliteCustodyLog
from storage.sqlite.database import SqliteDatabase
from storage.sqlite.devices import SqliteDevices
from storage.sqlite.flags import SqliteFlags
from storage.sqlite.fleet import SqliteFleet
from storage.sqlite.holds import SqliteHolds
from storage.sqlite.media import SqliteMedia
from storage.sqlite.objects import SqliteObjects
from storage.sqlite.received import SqliteReceived
from storage.sqlite.rooms import SqliteRooms
from storage.sqlite.uploads import SqliteUploads

__all__ = ["SqliteIndex", "open_sqlite_index"]


class SqliteIndex:
    def __init__(self, db: SqliteDatabase, reader: SqliteReader) -> None:
        self._db = db
        self._reader = reader  # the report's sections, beside its main query
        self.devices = SqliteDevices(db)
        self.credentials = SqliteCredentials(db)
        self.accounts = SqliteAccounts(db)
        self.uploads = SqliteUploads(db)
        self.objects = SqliteObjects(db)
        self.flags = SqliteFlags(db)
        self.media = SqliteMedia(db)
        self.compliance = SqliteCompliance(db, reader)
        self.catch_up = SqliteCatchUp(db)
        self.log = SqliteCustodyLog(db)
        self.fleet = SqliteFleet(db)
        self.rooms = SqliteRooms(db)
        self.received = SqliteReceived(db)
        self.holds = SqliteHolds(db)

    async def close(self) -> None:
        await self._reader.close()
        await self._db.close()


async def open_sqlite_index(
    path: Path, *, claim_tolerance_seconds: float = DEFAULT_CLAIM_TOLERANCE_SECONDS
) -> SqliteIndex:
    """Open (and create or upgrade) the index; the claim tolerance is what an upgrade that
    raises claim_mismatch flags compares with (``compliance.claim_tolerance_seconds``)."""
    db = SqliteDatabase(path, claim_tolerance_seconds)
    await db.open()
    reader = SqliteReader(path, StorageFailure)
    try:
        await reader.open()
    except BaseException:
        await db.close()
        raise
    return SqliteIndex(db, reader)
