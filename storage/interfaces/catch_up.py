"""What an index kept before this version may lack."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from evidence.identifiers import EvidenceId, Role
from storage.records import ActBatch, Derived, StoredObject

__all__ = ["CatchUp"]


class CatchUp(Protocol):
    """What an index kept before this version may lack (storage/sqlite/catch_up.py)."""

    async def registered_before(self, moment: datetime) -> list[tuple[EvidenceId, Role]]: ...

    async def fill(self, derived: Derived, *, write: bool = True) -> Derived:
        """Write what of ``derived`` nothing of its kind is held for (with ``write``
        false, only say what that is); return it."""
        ...

    async def transcripts_before(self, moment: datetime) -> list[StoredObject]: ...

    async def act_batches_before(self, moment: datetime) -> list[ActBatch]: ...
