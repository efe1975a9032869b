"""Room-session segments and perceptual fingerprints."""

from __future__ import annotations

from typing import Protocol

from evidence.identifiers import EvidenceId, Role
from evidence.perceptual import SecondPrint
from storage.records import SegmentRecord

__all__ = ["Media"]


class Media(Protocol):
    """Segments and fingerprints, written with their manifest (``Uploads.register_manifest``)."""

    async def session(self, session_id: str) -> list[SegmentRecord]: ...

    async def prints(self, evidence_id: EvidenceId, role: Role) -> list[SecondPrint]: ...
