"""The catalogue in force: the latest imported version, else the built-in default; and
importing an agency's own table (``evidence.catalogue_import``) as a new version."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from evidence.catalogue import Catalogue
from evidence.catalogue_import import CATALOGUE_TABLE, read_catalogue
from evidence.table_columns import Plan
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.tables import TableUpload

__all__ = ["CatalogueImport", "current_catalogue", "import_catalogue"]

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _parsed(csv_text: str) -> Catalogue:
    return Catalogue.from_csv(csv_text)


async def current_catalogue(desk: ComplianceDesk) -> tuple[Catalogue, int | None]:
    """The catalogue and its version (None for the built-in default)."""
    held = await desk.index.catalogues.current()
    if held is None:
        return _default(), None
    return _parsed(held.csv_text), held.version


@functools.cache
def _default() -> Catalogue:
    return Catalogue.default()


@dataclass(frozen=True, slots=True)
class CatalogueImport:
    """What an import read (``plan``, ``catalogue``), how it differs from the catalogue
    that was in force (act type codes added, removed, changed), and the version in force
    after it: a new one, or the same when the table was the catalogue in force already
    (``unchanged``) or nothing was kept (``dry_run``)."""

    plan: Plan
    catalogue: Catalogue
    version: int | None
    unchanged: bool
    dry_run: bool
    changes: dict[str, list[str]]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "entries": len(self.catalogue.entries),
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "changes": self.changes,
            "mapping": self.plan.to_json(),
        }


def _changes(before: Catalogue, after: Catalogue) -> dict[str, list[str]]:
    old = {entry.act_type.code: entry for entry in before.entries}
    new = {entry.act_type.code: entry for entry in after.entries}
    return {
        "added": [code for code in new if code not in old],
        "removed": [code for code in old if code not in new],
        "changed": [code for code in new if code in old and old[code] != new[code]],
    }


async def import_catalogue(
    desk: ComplianceDesk, upload: TableUpload, by: str, *, dry_run: bool = False
) -> CatalogueImport:
    """Read an agency's table and keep it as the new version, unless it is the catalogue
    in force already (no version is added) or this is a dry run. It may not drop an act
    type that registered acts use; the report reads every act against the catalogue in
    force. Act type codes are kept from the catalogue in force and the default by name."""
    held, version = await current_catalogue(desk)
    read = read_catalogue(
        upload.body,
        upload.column_mapping(CATALOGUE_TABLE),
        [held, _default()],
        encoding=upload.encoding,
        sheet=upload.sheet,
    )
    catalogue, csv_text = read.catalogue, read.catalogue.to_csv()
    stored = await desk.index.catalogues.current()
    unchanged = stored is not None and stored.csv_text == csv_text
    changes = _changes(held, catalogue)
    if dry_run or unchanged:
        return CatalogueImport(read.plan, catalogue, version, unchanged, dry_run, changes)
    kept = await desk.index.catalogues.add(csv_text, catalogue.codes(), by, desk.clock())
    log.info(
        "catalogue version %d (%d entries) imported by %s", kept.version, len(catalogue.entries), by
    )
    return CatalogueImport(read.plan, catalogue, kept.version, False, False, changes)
