"""Which recordings belong to which act.

A recording carrying a case number belongs to the acts of that case it overlaps in time
(the act's own window: touching an edge is not overlap; the tolerance plays no part):
that is decided by the index alone, with the one overlap rule of
``storage/sqlite/coverage_queries.py`` (whose reference is ``attaching.py``). A recording without a case number is only
*suggested* for an act it overlaps,
and only when it came from a device the act names (the signing dock or the camera
serial) or was captured by an officer the act names. A person confirms or rejects each
suggestion; the decision is kept and is final. Recordings attached to no act are
listed as unassigned.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.errors import AlreadyDecided, UnknownSuggestion
from evidence.identifiers import EvidenceId
from evidence.tlog.leaf_parts import Actor
from ingest.compliance.acts import get_act, get_case
from ingest.compliance.attaching import ties
from ingest.compliance.decision_entries import suggestion_entry
from ingest.compliance.desk import ComplianceDesk
from ingest.free_text import check_text
from storage.compliance_records import ActRecord, ActValues, Decision, DecisionRecord, Footage
from storage.records import StoredObject

__all__ = ["Suggestion", "decide", "fits", "list_suggestions", "suggestions_for", "unassigned"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Suggestion:
    act: ActRecord
    footage: Footage
    matched_on: tuple[str, ...]  # "device", "officer"


def fits(act: ActValues, footage: Footage) -> tuple[str, ...]:
    """What ties a recording without a case number to an act, besides time
    (``attaching.ties``)."""
    device = str(footage.device_id)
    return ties(act.devices, act.officers, device, footage.device_serial, footage.officer_id)


async def suggestions_for(
    desk: ComplianceDesk, acts: Sequence[ActRecord] | None
) -> list[Suggestion]:
    """Standing suggestions for ``acts``, or for every act when None."""
    cases = desk.index.cases
    ids = None if acts is None else [act.act_id for act in acts]
    candidates = await desk.index.queries.candidates(ids)
    if acts is None:
        acts = await cases.acts(sorted({candidate.act_id for candidate in candidates}))
    by_id = {act.act_id: act for act in acts}
    found = []
    for candidate in candidates:
        act = by_id[candidate.act_id]
        matched_on = fits(act.values, candidate)
        if matched_on:
            found.append(Suggestion(act, candidate, matched_on))
    return found


async def list_suggestions(
    desk: ComplianceDesk, case_number: str | None = None, act_id: int | None = None
) -> list[Suggestion]:
    if act_id is not None:
        return await suggestions_for(desk, [await get_act(desk, act_id)])
    if case_number is not None:
        case = await get_case(desk, case_number)
        return await suggestions_for(desk, await desk.index.cases.acts_of(case.case_number))
    return await suggestions_for(desk, None)


async def decide(
    desk: ComplianceDesk,
    evidence_id: EvidenceId,
    act_id: int,
    decision: Decision,
    by: Actor,
    note: str | None = None,
) -> DecisionRecord:
    """Confirm or reject a standing suggestion. A second decision on the pair is refused
    (AlreadyDecided), so a replayed confirmation changes nothing."""
    decisions = desk.index.decisions
    held = await decisions.decision(evidence_id, act_id)
    if held is not None:
        raise AlreadyDecided(
            f"{evidence_id} for act {act_id} was {held.decision} by {held.decided_by}",
            decision=held.decision.value,
        )
    act = await get_act(desk, act_id)
    standing = await suggestions_for(desk, [act])
    if not any(s.footage.evidence_id == evidence_id for s in standing):
        raise UnknownSuggestion(f"{evidence_id} is not suggested for act {act_id}")
    now, note = desk.clock(), check_text("note", note, 512)
    record = await decisions.decide(
        DecisionRecord(evidence_id, act_id, decision, by.name, now, note),
        leaf=suggestion_entry(decision, act, evidence_id, note, by, now),
    )
    log.info("%s %s for act %d: %s", by.name, decision, act_id, evidence_id)
    return record


async def unassigned(desk: ComplianceDesk, limit: int, offset: int) -> list[StoredObject]:
    return await desk.index.queries.unassigned(limit, offset)
