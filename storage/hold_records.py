"""Rows of legal holds and of what the retention report reads (docs/retention.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evidence.identifiers import EvidenceId

__all__ = ["HoldLift", "HoldRecord", "NewHold", "RecordingKeeping"]


@dataclass(frozen=True, slots=True)
class NewHold:
    """A hold to set: on a case or on one recording (exactly one), by whom, when, why."""

    case_number: str | None
    evidence_id: EvidenceId | None
    reason: str
    by: str
    role: str
    at: datetime


@dataclass(frozen=True, slots=True)
class HoldLift:
    reason: str
    by: str
    role: str
    at: datetime
    log_index: int


@dataclass(frozen=True, slots=True)
class HoldRecord:
    hold_id: int
    case_number: str | None
    evidence_id: EvidenceId | None
    reason: str
    set_by: str
    set_role: str
    set_at: datetime
    log_index: int  # the custody log entry of its setting
    lift: HoldLift | None = None

    @property
    def standing(self) -> bool:
        return self.lift is None


@dataclass(frozen=True, slots=True)
class RecordingKeeping:
    """What decides how long one recording is kept: when it was stored (its first
    object), the case it carries, the acts a person attached it to (case and act type),
    the holds standing on it or its cases, and where its objects are."""

    evidence_id: EvidenceId
    stored_at: datetime
    carried_case: str | None
    attached: tuple[tuple[str, str], ...]  # (case number, act type) of confirmed acts
    holds: tuple[int, ...]  # standing holds, by id
    objects: tuple[tuple[str, str, str], ...]  # (role, store, locator)

    @property
    def cases(self) -> tuple[str, ...]:
        found = {case for case, _ in self.attached}
        if self.carried_case is not None:
            found.add(self.carried_case)
        return tuple(sorted(found))
