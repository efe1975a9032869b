"""Rows of the custody log (docs/custody-log.md): plain frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evidence.identifiers import EvidenceId, Role

__all__ = ["AccessQuery", "CheckpointRecord", "LogOrigin", "LoggedLeaf"]


@dataclass(frozen=True, slots=True)
class LoggedLeaf:
    """One entry: its number (from 0) and the exact bytes logged."""

    index: int
    body: bytes


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    """A checkpoint the server signed: the tree's size and root, and the signed note."""

    size: int
    root: bytes
    note: bytes
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class LogOrigin:
    """Which log this index keeps: its origin line and the log key's vkey at its start."""

    origin: str
    vkey: str
    started_at: datetime


@dataclass(frozen=True, slots=True)
class AccessQuery:
    """Accesses to list, newest first: of a case, by a person, since a time, of an object."""

    case_number: str | None = None
    actor: str | None = None
    since: datetime | None = None
    evidence_id: EvidenceId | None = None
    role: Role | None = None
    limit: int = 100
    offset: int = 0
