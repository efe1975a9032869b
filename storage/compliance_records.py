"""Rows the index keeps for compliance: catalogue versions, cases, enforcement acts and
their edit history, decisions on suggested matches, exemptions; and the shapes the
coverage queries return. Plain frozen values; the index stores them, it decides nothing."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from evidence.case_number import CaseNumber
from evidence.identifiers import DeviceId, EvidenceId

__all__ = [
    "ActChange",
    "ActRecord",
    "ActValues",
    "CaseRecord",
    "CatalogueVersion",
    "Decision",
    "DecisionRecord",
    "ExemptionReason",
    "ExemptionRecord",
    "Footage",
    "ImportResult",
    "ImportRow",
    "Matched",
    "OfficerRecord",
    "ReportAct",
    "ReportQuery",
    "ReportRows",
    "Withdrawal",
    "attached_of",
]


@dataclass(frozen=True, slots=True)
class CatalogueVersion:
    version: int
    csv_text: str
    imported_by: str
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class CaseRecord:
    case_number: CaseNumber
    agency: str  # 执法机关
    subject: str | None  # 当事人
    created_by: str
    created_at: datetime

    def same_case(self, other: CaseRecord) -> bool:
        return (self.case_number, self.agency, self.subject) == (
            other.case_number,
            other.agency,
            other.subject,
        )


@dataclass(frozen=True, slots=True)
class ActValues:
    """What a person may state, and later correct, about an enforcement act."""

    case_number: CaseNumber
    act_type: str
    started_at: datetime
    ended_at: datetime
    place: str | None
    officers: tuple[str, ...]  # officer ids (执法证号), as recordings name their capturer
    devices: tuple[str, ...]  # signing device ids or camera serials
    reference: str | None = None  # the case system's own id for the act


@dataclass(frozen=True, slots=True)
class ActRecord:
    act_id: int
    values: ActValues
    revision: int  # 1 when registered, one more with each edit
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ActChange:
    """One entry of an act's history: its registration (``old`` is None) or an edit."""

    act_id: int
    revision: int
    changed_by: str
    changed_at: datetime
    reason: str | None
    old: dict[str, Any] | None
    new: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of a cases or acts CSV: the case it names and, for acts, the act."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    case: CaseRecord
    act: ActValues | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    cases_added: int
    acts_added: int
    acts_unchanged: int


class Decision(enum.StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A person's answer to "does this recording without a case number belong to this act?"."""

    evidence_id: EvidenceId
    act_id: int
    decision: Decision
    decided_by: str
    decided_at: datetime
    note: str | None


class ExemptionReason(enum.StrEnum):
    """Why an act that had to be on footage may lack it: the fixed list."""

    STATE_SECRET = "state_secret"  # noqa: S105 (涉及国家秘密: a reason, not a password)
    PRIVACY = "privacy"  # 个人隐私 (and commercial secrets, minors: R8)
    EMERGENCY = "emergency"  # 紧急情况
    OBJECTIVELY_IMPOSSIBLE = "objectively_impossible"  # 客观上无法记录

    @classmethod
    def parse(cls, text: str) -> ExemptionReason:
        try:
            return cls(text)
        except ValueError:
            raise ValueError(
                f"must be one of {', '.join(reason.value for reason in cls)}"
            ) from None


@dataclass(frozen=True, slots=True)
class Withdrawal:
    withdrawn_by: str
    withdrawn_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class ExemptionRecord:
    exemption_id: int
    act_id: int
    reason: ExemptionReason
    approver: str  # who approved it, as the approval document names them
    approved_at: datetime
    note: str | None
    recorded_by: str  # who entered it
    recorded_at: datetime
    act_revision: int  # the act's revision it excuses
    withdrawal: Withdrawal | None = None
    lapsed: bool = False  # the act was edited since: the exemption no longer covers it

    @property
    def standing(self) -> bool:
        """Not withdrawn, and the act is still at the revision it was entered for."""
        return self.withdrawal is None and not self.lapsed


class Matched(enum.StrEnum):
    CASE_NUMBER = "case_number"  # same case number, overlapping in time
    CONFIRMED = "confirmed"  # no case number; a person confirmed the suggestion
    SUGGESTED = "suggested"  # no case number; overlapping in time, not yet decided


@dataclass(frozen=True, slots=True)
class Footage:
    """A stored original seen from an act: what it is, and how it came to that act."""

    act_id: int
    matched: Matched
    evidence_id: EvidenceId
    device_id: DeviceId
    device_serial: str | None
    officer_id: str | None
    case_number: CaseNumber | None
    started_at: datetime  # as signed, on the capture device's clock
    ended_at: datetime | None
    received_at: datetime
    clock_offset_ms: int = 0  # the device's clock minus the station's, as its dock measured


@dataclass(frozen=True, slots=True)
class ReportQuery:
    act_types: tuple[str, ...]  # the types whose duty is full
    utc_offset_minutes: int  # months are counted in this offset
    agency: str | None = None
    act_type: str | None = None
    officer: str | None = None
    since: datetime | None = None  # acts starting at or after
    until: datetime | None = None  # acts starting before
    act_ids: tuple[int, ...] | None = None  # only these acts (one case's, one act)


class ReportAct(NamedTuple):
    """One act as the report measures it. A named tuple, not a dataclass: the report
    makes one per act (sixty thousand at the benchmark's size), and a tuple is built in C."""

    act_id: int
    case_number: str
    agency: str
    act_type: str
    started: int  # milliseconds since the epoch
    ended: int
    period: str  # YYYY-MM in the query's offset
    officers: tuple[str, ...]
    exempted: bool
    revision: int = 1  # above 1: edited after it was registered


@dataclass(frozen=True, slots=True)
class ReportRows:
    """The acts measured and, beside each (the same order), its attached recordings as
    text, ``"s1,e1,s2,e2,…"`` in integer milliseconds from the act's start (``""`` when
    none). Text, because SQLite folds it in C and the report parses all of it at once
    (ingest/compliance/spans.py); ``footage`` gives one act's as (start, end) pairs."""

    acts: list[ReportAct]
    spans: list[str]

    @classmethod
    def of(
        cls, acts: list[ReportAct], footage: Mapping[int, Sequence[tuple[int, int]]]
    ) -> ReportRows:
        """From each act's attached (start, end) in milliseconds since the epoch."""
        return cls(acts, [_relative(act.started, footage.get(act.act_id, ())) for act in acts])

    @property
    def footage(self) -> dict[int, list[tuple[int, int]]]:
        """Act id -> attached (start, end), milliseconds since the epoch (acts with any)."""
        return {
            act.act_id: attached_of(act, text)
            for act, text in zip(self.acts, self.spans, strict=True)
            if text
        }


def attached_of(act: ReportAct, spans: str) -> list[tuple[int, int]]:
    """One act's recordings from its text in ReportRows.spans, in milliseconds since the epoch."""
    if not spans:
        return []
    values = map(int, spans.split(","))
    a = act.started
    return [(a + start, a + end) for start, end in zip(values, values, strict=True)]


def _relative(started: int, attached: Sequence[tuple[int, int]]) -> str:
    return ",".join(f"{start - started},{end - started}" for start, end in attached)


@dataclass(frozen=True, slots=True)
class OfficerRecord:
    """One line of the agency's officer roster."""

    officer_id: str  # 执法证号, as recordings and acts name the officer
    name: str  # 姓名
    unit: str | None = None  # 所属单位: 中队, 所, 科室
