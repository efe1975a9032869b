"""Rows of legal holds and of what the retention report reads (docs/retention.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evidence.identifiers import EvidenceId

__all__ = [
    "HoldLift",
    "HoldRecord",
    "LockTarget",
    "NewHold",
    "ObjectKeeping",
    "RecordingKeeping",
    "Referring",
]


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


@dataclass(frozen=True, slots=True)
class LockTarget:
    """Whose store locks are still to apply: one recording, or every one of a case."""

    case_number: str | None
    evidence_id: EvidenceId | None

    @property
    def row(self) -> tuple[str, str]:
        if self.case_number is not None:
            return "case", self.case_number
        return "recording", str(self.evidence_id)

    @classmethod
    def from_row(cls, kind: str, target: str) -> LockTarget:
        return cls(target, None) if kind == "case" else cls(None, EvidenceId(target))


@dataclass(frozen=True, slots=True)
class Referring:
    """One recording that refers to a stored object, as the retention report judged it."""

    evidence_id: EvidenceId
    removable_at: datetime | None  # None: never (permanent)
    retain_until: datetime  # the store lock's date (a far one for permanent)
    holds: tuple[int, ...]  # standing on it or its cases


@dataclass(frozen=True, slots=True)
class ObjectKeeping:
    """What one content-addressed object needs: the same bytes stored twice are one
    object, kept while ANY recording referring to it is kept or held."""

    locator: str
    referring: tuple[Referring, ...]

    @property
    def retain_until(self) -> datetime:
        return max(each.retain_until for each in self.referring)

    @property
    def removable_at(self) -> datetime | None:
        """The latest any of them needs; None (never) if one is permanent or none is known."""
        dates = [each.removable_at for each in self.referring]
        if not dates or any(date is None for date in dates):
            return None
        return max(date for date in dates if date is not None)

    @property
    def holds(self) -> tuple[int, ...]:
        return tuple(sorted({hold for each in self.referring for hold in each.holds}))
