"""The catalogue in force: the latest imported version, else the built-in default."""

from __future__ import annotations

import functools
import logging

from evidence.catalogue import Catalogue
from ingest.compliance.desk import ComplianceDesk
from storage.compliance_records import CatalogueVersion

__all__ = ["current_catalogue", "import_catalogue"]

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


async def import_catalogue(
    desk: ComplianceDesk, csv_text: str, by: str
) -> tuple[CatalogueVersion, Catalogue]:
    """Check a catalogue CSV and keep it as the new version; the version and the catalogue
    read from the CSV. It may not drop an act type that registered acts use; the report
    reads every act against the catalogue in force."""
    catalogue = Catalogue.from_csv(csv_text)
    version = await desk.index.catalogues.add(
        catalogue.to_csv(), catalogue.codes(), by, desk.clock()
    )
    log.info(
        "catalogue version %d (%d entries) imported by %s",
        version.version,
        len(catalogue.entries),
        by,
    )
    return version, catalogue
