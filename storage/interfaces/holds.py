"""Legal holds and what decides each recording's retention (docs/retention.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from evidence.identifiers import EvidenceId
from storage.hold_records import HoldRecord, LockTarget, NewHold, RecordingKeeping

__all__ = ["Holds"]


class Holds(Protocol):
    """Legal holds, append-only, each set and lift with its custody log entry; and what
    the retention report reads about each recording."""

    async def set(self, hold: NewHold, *, leaf: bytes) -> HoldRecord:
        """Keep a new hold and log its ``leaf``, in one transaction."""
        ...

    async def lift(
        self, hold_id: int, lift: NewHold, *, leaf: bytes
    ) -> tuple[HoldRecord, bool] | None:
        """Lift a standing hold and log ``leaf`` (``lift`` gives why, who, when); return it
        and whether this call lifted it (False: lifted already, nothing written); None
        when there is no such hold."""
        ...

    async def hold(self, hold_id: int) -> HoldRecord | None: ...

    async def find(
        self,
        case_number: str | None,
        evidence_id: EvidenceId | None,
        standing_only: bool,
        limit: int,
        offset: int,
    ) -> list[HoldRecord]: ...

    async def keeping(
        self,
        evidence_ids: Sequence[EvidenceId] | None,
        limit: int,
        offset: int,
        case_number: str | None = None,
    ) -> list[RecordingKeeping]:
        """What decides each recording's retention (these, or those attached to
        ``case_number``, or all when both are None), oldest stored first."""
        ...

    async def sharing(self, store: str, locators: Sequence[str]) -> dict[str, list[EvidenceId]]:
        """The recordings whose objects in ``store`` are at each of these locators."""
        ...

    async def want_locks(self, target: LockTarget, at: datetime) -> None:
        """Keep that ``target``'s store locks are to apply (once; kept until applied)."""
        ...

    async def locks_applied(self, target: LockTarget) -> None: ...

    async def locks_to_apply(self, limit: int) -> list[LockTarget]:
        """The targets whose store locks are still to apply, oldest first."""
        ...
