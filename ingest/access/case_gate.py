"""Per-case access: whether a person may see a recording, a session, a case or an act.

A person limited to some cases is answered as if what lies outside them did not exist:
the same 404 and the same words an unknown recording, case or act gets, so a refusal
does not tell them that a case exists. Questions across every case (all flags, footage
without a case number, the report, CSV imports) are refused with 403 ``cases_limited``,
which says nothing about any case. Those who see every case pass without a lookup."""

from __future__ import annotations

from dataclasses import dataclass

from evidence.case_number import CaseNumber, CaseNumberRule
from evidence.errors import CasesLimited, InvalidCaseNumber, NotFound, UnknownAct, UnknownCase
from evidence.identifiers import EvidenceId, Role
from ingest.access.person import Person
from storage.interfaces import Cases, Manifests, Media, ObjectLookup

__all__ = ["CaseGate"]


@dataclass(frozen=True)
class CaseGate:
    objects: ObjectLookup
    uploads: Manifests  # manifests: a recording registered but not yet stored
    cases: Cases
    media: Media
    case_rule: CaseNumberRule

    def every_case(self, person: Person, what: str) -> None:
        """Refuse a question across every case to a person limited to some."""
        if not person.access.all_cases:
            raise CasesLimited(f"{what} spans every case; you may see only some: name one")

    async def case(self, person: Person, case_number: str) -> None:
        """A case, by any typed form of its number."""
        if person.access.all_cases:
            return
        try:
            number = self.case_rule.parse(case_number)
        except InvalidCaseNumber:
            return  # the service refuses it with the same words for everyone
        if not await self._covers(person, number):
            raise UnknownCase(f"no case {number}")

    async def new_case(self, person: Person, case_number: str, agency: str) -> None:
        """A case being registered: its number or its agency must be granted."""
        if person.access.all_cases:
            return
        try:
            number = str(self.case_rule.parse(case_number))
        except InvalidCaseNumber:
            return
        if not person.access.covers(number, agency):
            raise CasesLimited(f"you may not register cases of {agency} or number {number}")

    async def act(self, person: Person, act_id: int) -> None:
        if person.access.all_cases:
            return
        record = await self.cases.act(act_id)
        if record is None or not await self._covers(person, record.values.case_number):
            raise UnknownAct(f"no act {act_id}")

    async def recording(self, person: Person, evidence_id: EvidenceId) -> None:
        if person.access.all_cases:
            return
        if not await self._recording_visible(person, evidence_id):
            raise NotFound(f"no stored recording {evidence_id}")

    async def session(self, person: Person, session_id: str) -> None:
        """A room session: every segment's recording must be visible."""
        if person.access.all_cases:
            return
        segments = await self.media.session(session_id)
        visible = [await self._recording_visible(person, s.evidence_id) for s in segments]
        if not segments or not all(visible):
            raise NotFound(f"no session {session_id!r}")

    async def _recording_visible(self, person: Person, evidence_id: EvidenceId) -> bool:
        stored = await self.objects.of_recording(evidence_id)
        if stored:
            case_number = stored[0].case_number
        else:
            manifest = await self.uploads.manifest(evidence_id, Role.ORIGINAL)
            case_number = None if manifest is None else manifest.case_number
        return case_number is not None and await self._covers(person, case_number)

    async def _covers(self, person: Person, number: CaseNumber) -> bool:
        """Whether a limited person sees this case: by its number, or by the agency it is
        registered under (a number never registered has no agency)."""
        if str(number) in person.access.cases:
            return True
        if not person.access.agencies:
            return False
        case = await self.cases.case(number)
        return case is not None and person.access.covers(str(number), case.agency)
