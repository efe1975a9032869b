"""A table a person uploads for an import (the catalogue, cases and acts, the officer
roster): its bytes, and how to read them (a column mapping, an encoding, a sheet); and
what an import answers: what was mapped to what, and what it added or would add."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evidence.column_mapping import Column, ColumnMapping
from evidence.table_columns import Plan, Table
from evidence.table_file import read_grid

__all__ = ["ImportOutcome", "TableUpload"]


@dataclass(frozen=True, slots=True)
class TableUpload:
    body: bytes  # a CSV file or an .xlsx workbook
    mapping: str | None = None  # a column mapping, TOML (evidence.column_mapping)
    encoding: str | None = None  # a CSV's, when not detected
    sheet: str | None = None  # a workbook's, when not the first

    def column_mapping(self, columns: Sequence[Column]) -> ColumnMapping | None:
        return None if self.mapping is None else ColumnMapping.from_toml(self.mapping, columns)

    def table(self, columns: Sequence[Column]) -> Table:
        mapping = self.column_mapping(columns)
        given = mapping or ColumnMapping()
        grid = read_grid(
            self.body, encoding=self.encoding or given.encoding, sheet=self.sheet or given.sheet
        )
        return Table(grid, columns, mapping)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import did, or would do when ``dry_run``: the plan (what was mapped to
    what) and the counts (``added``, ``unchanged`` and what else the import counts)."""

    plan: Plan
    counts: dict[str, int]
    dry_run: bool

    def to_json(self) -> dict[str, Any]:
        return {**self.counts, "dry_run": self.dry_run, "mapping": self.plan.to_json()}
