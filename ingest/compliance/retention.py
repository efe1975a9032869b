"""The retention report: for each recording, its class, where the class came from (a case,
an act type's 保存期限 phrase in the catalogue in force, or the default), the holds that
stand on it, and when it becomes removable (docs/retention.md).

Nothing is removed: the report says what the law and the agency's classes would allow.
A held recording is not removable while the hold stands, whatever its date.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evidence.catalogue import Catalogue
from evidence.errors import UnknownActType
from evidence.identifiers import EvidenceId
from evidence.retention import Retention
from evidence.retention_classes import RecordingFacts, RetentionClasses, Verdict
from evidence.strict_json import format_time
from ingest.clock import Clock
from ingest.compliance.catalogues import current_catalogue
from ingest.compliance.desk import ComplianceDesk
from storage.hold_records import RecordingKeeping
from storage.interfaces import Holds

__all__ = ["FAR", "Keeping", "RetentionReport", "Status"]

FAR = timedelta(days=100 * 366)  # an S3 lock's date for "permanent": it can only move later


class Status(enum.StrEnum):
    PERMANENT = "permanent"  # kept for ever
    HELD = "held"  # a legal hold stands
    KEPT = "kept"  # its retention has not ended
    REMOVABLE = "removable"  # its retention has ended and nothing holds it


@dataclass(frozen=True, slots=True)
class Keeping:
    """One recording's line in the report."""

    facts: RecordingKeeping
    verdict: Verdict
    removable_at: datetime | None  # None: never (permanent)
    status: Status

    @property
    def retain_until(self) -> datetime:
        """The date its stored objects are locked until (a far one for permanent)."""
        stored = self.facts.stored_at
        return self.removable_at if self.removable_at is not None else stored + FAR

    def to_json(self) -> dict[str, Any]:
        removable = self.removable_at
        return {
            "evidence_id": str(self.facts.evidence_id),
            "stored_at": format_time(self.facts.stored_at),
            "class": self.verdict.retention_class.name,
            "period": str(self.verdict.retention_class.period),
            "source": self.verdict.source.value,
            "because": self.verdict.because,
            "cases": list(self.facts.cases),
            "holds": list(self.facts.holds),
            "removable_at": None if removable is None else format_time(removable),
            "status": self.status.value,
        }


def _phrase(catalogue: Catalogue, act_type: str) -> Retention | None:
    try:
        return catalogue.entry(act_type).retention
    except UnknownActType:
        return None


class RetentionReport:
    def __init__(
        self, desk: ComplianceDesk, holds: Holds, classes: RetentionClasses, clock: Clock
    ) -> None:
        self.desk, self.holds, self.classes, self.clock = desk, holds, classes, clock

    def judge(self, facts: RecordingKeeping, catalogue: Catalogue, now: datetime) -> Keeping:
        act_types = tuple((kind, _phrase(catalogue, kind)) for _, kind in facts.attached)
        verdict = self.classes.judge(RecordingFacts(facts.cases, act_types))
        removable = verdict.until(facts.stored_at)
        if facts.holds:
            status = Status.HELD
        elif removable is None:
            status = Status.PERMANENT
        else:
            status = Status.REMOVABLE if removable <= now else Status.KEPT
        return Keeping(facts, verdict, removable, status)

    async def lines(
        self,
        evidence_ids: Sequence[EvidenceId] | None,
        limit: int,
        offset: int,
        case_number: str | None = None,
    ) -> list[Keeping]:
        catalogue, _ = await current_catalogue(self.desk)
        now = self.clock()
        found = await self.holds.keeping(evidence_ids, limit, offset, case_number)
        return [self.judge(facts, catalogue, now) for facts in found]
