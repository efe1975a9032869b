"""A leaf for an object stored before the custody log existed (see ``leaves``).

The index's upgrade logs every object it already holds once, when the log begins, in the
order they were received: the same facts as an ingest leaf (``IngestLeaf``: the object,
its manifest and its receipt by their SHA-256), and ``logged_at``, when the upgrade
logged them. A reader tells the two apart by the type: an ingest leaf was written as the
receipt was signed; a backfilled one only vouches that the object was held when the log
began, which is all an index from before the log can prove.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from evidence.strict_json import Fields
from evidence.tlog.leaf_events import IngestLeaf
from evidence.tlog.leaf_parts import utc_text

__all__ = ["BackfillLeaf"]


@dataclass(frozen=True, slots=True)
class BackfillLeaf:
    TYPE: ClassVar[str] = "liuhen.log.backfill"
    VERSION: ClassVar[int] = 1
    ingest: IngestLeaf
    logged_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {**self.ingest.to_json(), "logged_at": utc_text(self.logged_at)}

    @classmethod
    def read(cls, f: Fields) -> BackfillLeaf:
        return cls(IngestLeaf.read(f), f.time("logged_at"))
