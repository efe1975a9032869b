"""What the server's services are built from, besides its keys: the books (index and
store), the case-number rule, the clock and the configuration sections. ``wiring.py``
and ``custody_wiring.py`` build services from it; a command on the server host opens it
(``startup.open_parts``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from evidence.case_number import CaseNumberRule
from ingest.books import Books
from ingest.clock import Clock
from ingest.compliance.config import ComplianceConfig
from ingest.custody_log.config import CustodyConfig
from ingest.server_config import IngestConfig
from storage.interfaces import Index

__all__ = ["Parts"]


@dataclass(frozen=True)
class Parts:
    """What services are built from, besides the server key."""

    books: Books
    case_rule: CaseNumberRule
    clock: Clock
    compliance: ComplianceConfig
    custody: CustodyConfig = field(default_factory=CustodyConfig)

    @property
    def config(self) -> IngestConfig:
        return self.books.config

    @property
    def index(self) -> Index:
        return self.books.index
