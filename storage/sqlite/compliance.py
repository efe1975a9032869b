"""The compliance part of the SQLite index, as one attribute of it."""

from __future__ import annotations

from storage.sqlite.cases import SqliteCases
from storage.sqlite.coverage_queries import SqliteComplianceQueries
from storage.sqlite.database import SqliteDatabase
from storage.sqlite.decisions import SqliteCatalogues, SqliteDecisions, SqliteExemptions
from storage.sqlite.weak_links import SqliteOfficers, SqliteWeakLinks

__all__ = ["SqliteCompliance"]


class SqliteCompliance:
    def __init__(self, db: SqliteDatabase) -> None:
        self.catalogues = SqliteCatalogues(db)
        self.cases = SqliteCases(db)
        self.decisions = SqliteDecisions(db)
        self.exemptions = SqliteExemptions(db)
        self.queries = SqliteComplianceQueries(db)
        self.weak_links = SqliteWeakLinks(db)
        self.officers = SqliteOfficers(db)
