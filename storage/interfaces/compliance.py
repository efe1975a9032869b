"""The compliance books: catalogue versions, cases and acts, decisions, exemptions,
the coverage and report queries, weak links, the officer roster."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from evidence.case_number import CaseNumber
from evidence.identifiers import EvidenceId
from storage.compliance_records import (
    ActChange,
    ActRecord,
    ActValues,
    CaseRecord,
    CatalogueVersion,
    DecisionRecord,
    ExemptionReason,
    ExemptionRecord,
    Footage,
    ImportResult,
    ImportRow,
    OfficerRecord,
    ReportQuery,
    ReportRows,
)
from storage.records import FlagRecord, StoredObject

__all__ = [
    "Cases",
    "Catalogues",
    "Compliance",
    "ComplianceQueries",
    "Decisions",
    "Exemptions",
    "Officers",
    "WeakLinks",
]


class Catalogues(Protocol):
    async def current(self) -> CatalogueVersion | None:
        """The latest imported catalogue; None while the built-in default applies."""
        ...

    async def add(
        self, csv_text: str, act_types: Collection[str], by: str, now: datetime
    ) -> CatalogueVersion:
        """Keep a new version, unless registered acts use a type outside ``act_types``
        (CatalogueConflict). Versions are never changed or removed."""
        ...


class Cases(Protocol):
    async def add_case(self, case: CaseRecord) -> tuple[CaseRecord, bool]:
        """Register a case; the same values again return the held one (False); other
        values for a held number raise CaseConflict."""
        ...

    async def case(self, case_number: CaseNumber) -> CaseRecord | None: ...

    async def add_act(self, values: ActValues, by: str, now: datetime) -> tuple[ActRecord, bool]:
        """Register an act of a registered case (else UnknownCase). An act is the same act
        when its reference, or without one its type and times, match a held act of the
        case: equal values return it (False), others raise ActConflict."""
        ...

    async def act(self, act_id: int) -> ActRecord | None: ...

    async def acts(self, act_ids: Sequence[int]) -> list[ActRecord]:
        """The acts of those ids that exist, by id."""
        ...

    async def acts_of(self, case_number: CaseNumber) -> list[ActRecord]: ...

    async def edit_act(
        self,
        act_id: int,
        revision: int,
        values: ActValues,
        by: str,
        reason: str | None,
        now: datetime,
        *,
        leaf: bytes | None = None,
    ) -> ActRecord:
        """Replace an act's values if it is still at ``revision`` (else StaleRevision);
        the old and new values go to its history, and ``leaf`` to the log, in the same
        transaction."""
        ...

    async def history(self, act_id: int) -> list[ActChange]: ...

    async def import_rows(
        self, items: Sequence[ImportRow], by: str, now: datetime, *, commit: bool = True
    ) -> ImportResult:
        """Cases and acts from a table, all or nothing; a conflict names its row in
        ``details["row"]``. ``commit=False`` (a dry run) counts and checks everything in a
        transaction it then rolls back."""
        ...


class Decisions(Protocol):
    async def decide(self, record: DecisionRecord, *, leaf: bytes | None = None) -> DecisionRecord:
        """Keep a decision on a suggestion; a second one for the pair raises AlreadyDecided."""
        ...

    async def decision(self, evidence_id: EvidenceId, act_id: int) -> DecisionRecord | None: ...

    async def of_act(self, act_id: int) -> list[DecisionRecord]: ...


class Exemptions(Protocol):
    async def add(
        self,
        act_id: int,
        reason: ExemptionReason,
        approver: str,
        approved_at: datetime,
        note: str | None,
        by: str,
        now: datetime,
        *,
        leaf: bytes | None = None,
    ) -> ExemptionRecord:
        """Exempt the act at its current revision; AlreadyExempted while another exemption
        of it stands (not withdrawn, entered for the act's current revision)."""
        ...

    async def withdraw(
        self, exemption_id: int, reason: str, by: str, now: datetime, *, leaf: bytes | None = None
    ) -> ExemptionRecord:
        """Withdraw an exemption (kept, with who, when and why); AlreadyWithdrawn if it was."""
        ...

    async def of_acts(self, act_ids: Sequence[int]) -> list[ExemptionRecord]:
        """Every exemption of these acts, standing or withdrawn: by act, newest first."""
        ...


class ComplianceQueries(Protocol):
    """Stored originals seen from acts. One overlap rule decides attaching, suggesting and
    the unassigned list: a recording overlaps an act when it shares some of the act's own
    window (touching an edge does not), a point (no end) when it lies inside it."""

    async def attached(self, act_ids: Sequence[int]) -> list[Footage]:
        """Originals of each act that overlap it: with its case number, or confirmed."""
        ...

    async def candidates(self, act_ids: Sequence[int] | None) -> list[Footage]:
        """Originals without a case number overlapping each act (all acts when None) with
        no decision for the pair yet. Whether device or officer fit is the caller's call."""
        ...

    async def unassigned(self, limit: int, offset: int) -> list[StoredObject]:
        """Originals attached to no act, newest capture first."""
        ...

    async def report(self, query: ReportQuery) -> ReportRows: ...

    async def cases_without_acts(self, agency: str | None) -> list[tuple[str, str]]:
        """(case number, agency) of every case with no act registered, of one agency or all."""
        ...

    async def open_flags(
        self, query: ReportQuery, limit: int
    ) -> tuple[dict[str, int], list[FlagRecord]]:
        """Open flags under the report's filters: counts by kind, and the first ``limit``."""
        ...


class WeakLinks(Protocol):
    """The report's sections beyond coverage (storage/sqlite/weak_links.py)."""

    async def exemptions(self, query: ReportQuery) -> list[tuple[str, str, int]]:
        """(reason, approver, count) of standing exemptions of the selected acts."""
        ...

    async def late_uploads(self, query: ReportQuery) -> list[tuple[str | None, str, bool, int]]:
        """(officer, signing device, open, count) of late_upload flags under the filters."""
        ...

    async def as_needed(self, query: ReportQuery) -> list[tuple[str, int, int]]:
        """(act type, acts, acts with footage attached) of the selected acts."""
        ...


class Officers(Protocol):
    async def roster(self) -> list[OfficerRecord]: ...

    async def update(
        self, rows: Sequence[OfficerRecord], by: str, now: datetime, *, commit: bool = True
    ) -> tuple[int, int, int]:
        """Add or correct officers: (added, changed, unchanged)."""
        ...


class Compliance(Protocol):
    catalogues: Catalogues
    cases: Cases
    decisions: Decisions
    exemptions: Exemptions
    queries: ComplianceQueries
    weak_links: WeakLinks
    officers: Officers
