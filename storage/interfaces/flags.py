"""Flags: things a custodian must look at."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from evidence.identifiers import DeviceId, EvidenceId, Role
from storage.records import FlagRecord

__all__ = ["Flags"]


class Flags(Protocol):
    async def raise_flag(
        self,
        kind: str,
        subject: str,
        detail: str,
        now: datetime,
        *,
        device_id: DeviceId | None = None,
        evidence_id: EvidenceId | None = None,
        role: Role | None = None,
    ) -> bool:
        """Raise a flag unless one of this kind is already open for ``subject``."""
        ...

    async def resolve(
        self, kind: str, subject: str, resolution: str, by: str, now: datetime
    ) -> bool:
        """Resolve the open flag of this kind for ``subject``, if there is one."""
        ...

    async def flag(self, flag_id: int) -> FlagRecord | None: ...

    async def resolve_flag(
        self, flag_id: int, resolution: str, by: str, now: datetime, *, leaf: bytes | None = None
    ) -> FlagRecord:
        """Resolve one flag, once (and log ``leaf``): UnknownFlag, or AlreadyResolved."""
        ...

    async def open_for(self, evidence_id: EvidenceId) -> list[FlagRecord]: ...

    async def open_flags(self, kind: str | None = None) -> list[FlagRecord]: ...

    async def flags(
        self,
        kind: str | None = None,
        *,
        is_open: bool | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[FlagRecord]:
        """Flags in the order they were raised: open, resolved or (None) both."""
        ...
