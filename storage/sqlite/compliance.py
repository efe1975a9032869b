"""The compliance part of the SQLite index, as one attribute of it."""

from __future__ import annotations

from runtime.sqlite_thread import SqliteThread
from storage.sqlite.cases import SqliteCases
from storage.sqlite.coverage_queries import SqliteComplianceQueries
from storage.sqlite.database import SqliteDatabase
from storage.sqlite.decisions import SqliteCatalogues, SqliteDecisions, SqliteExemptions
from storage.sqlite.weak_links import SqliteOfficers, SqliteWeakLinks

__all__ = ["SqliteCompliance"]


class SqliteCompliance:
    def __init__(self, db: SqliteDatabase, reader: SqliteThread) -> None:
        """``reader``: a second connection for the report's sections that only read."""
        self.catalogues = SqliteCatalogues(db)
        self.cases = SqliteCases(db)
        self.decisions = SqliteDecisions(db)
        self.exemptions = SqliteExemptions(db)
        self.queries = SqliteComplianceQueries(db, reader)
        self.weak_links = SqliteWeakLinks(reader)
        self.officers = SqliteOfficers(db)
