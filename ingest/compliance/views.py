"""JSON shapes of compliance records, shared by the API and the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evidence.catalogue import CatalogueEntry
from evidence.strict_json import format_time, parse_time
from ingest.compliance.act_matching import Suggestion
from ingest.compliance.coverage import Coverage, State
from ingest.custody.recordings import claimed_times
from storage.compliance_records import (
    ActChange,
    ActRecord,
    CaseRecord,
    DecisionRecord,
    ExemptionRecord,
    Footage,
    OfficerRecord,
)
from storage.records import StoredObject

__all__ = [
    "ADVICE",
    "act_json",
    "at",
    "case_json",
    "change_json",
    "coverage_json",
    "decision_json",
    "entry_json",
    "exemption_json",
    "footage_json",
    "gaps_json",
    "not_ready_reasons",
    "officer_json",
    "recording_json",
    "suggestion_json",
]

ADVICE = {
    State.MISSING: (
        "No footage of this act is attached. Look for it among unassigned recordings and "
        "suggestions, and have it uploaded or confirmed; if the act could not be recorded, "
        "record an exemption with its reason and approver."
    ),
    State.PARTIAL: (
        "The footage has gaps. Look for recordings that fill them among unassigned "
        "recordings and suggestions; a gap that cannot be filled needs its reason on "
        "record (an exemption, with its approver)."
    ),
}


def at(ms: int | float) -> str:
    """A time in milliseconds since the epoch, as coverage is measured, in RFC 3339."""
    return format_time(datetime.fromtimestamp(round(ms) / 1000, UTC))


def entry_json(entry: CatalogueEntry) -> dict[str, Any]:
    return {
        "act_type": entry.act_type.code,
        "category": entry.category,
        "name": entry.name,
        "name_en": entry.name_en,
        "stage": entry.stage,
        "place": entry.place,
        "devices": entry.devices,
        "recording_starts": entry.recording_starts,
        "recording_ends": entry.recording_ends,
        "retention": entry.retention.text,
        "duty": entry.duty.value,
        "basis": entry.basis,
    }


def case_json(case: CaseRecord) -> dict[str, Any]:
    return {
        "case_number": str(case.case_number),
        "agency": case.agency,
        "subject": case.subject,
        "created_by": case.created_by,
        "created_at": format_time(case.created_at),
    }


def act_json(act: ActRecord, entry: CatalogueEntry | None = None) -> dict[str, Any]:
    values = act.values
    shown: dict[str, Any] = {
        "act_id": act.act_id,
        "case_number": str(values.case_number),
        "act_type": values.act_type,
    }
    if entry is not None:
        shown.update(name=entry.name, duty=entry.duty.value)
    shown.update(
        started_at=format_time(values.started_at),
        ended_at=format_time(values.ended_at),
        place=values.place,
        officers=list(values.officers),
        devices=list(values.devices),
        reference=values.reference,
        revision=act.revision,
        edited=act.revision > 1,  # edited after registration: see its history
        created_by=act.created_by,
        created_at=format_time(act.created_at),
        updated_by=act.updated_by,
        updated_at=format_time(act.updated_at),
    )
    return shown


def gaps_json(coverage: Coverage) -> list[dict[str, Any]]:
    """The gaps of a coverage measured in milliseconds, as every view shows them."""
    return [
        {"start": at(start), "end": at(end), "seconds": round((end - start) / 1000, 3)}
        for start, end in coverage.gaps
    ]


def not_ready_reasons(acts: int, blocking: list[tuple[int, State]]) -> list[str]:
    """Why a case is not ready for legal review, empty when it is: no act registered at all
    (nothing shows the case was recorded), or each act with duty full that is missing or
    partial and not exempted."""
    if not acts:
        return ["acts: 0"]
    return [f"act {act_id}: {state.value}" for act_id, state in blocking]


def coverage_json(coverage: Coverage, tolerance: float) -> dict[str, Any]:
    """A coverage measured in milliseconds (tally.verdicts), with the tolerance in force."""
    return {
        "state": coverage.state.value,
        "tolerance_seconds": tolerance,
        "recorded_seconds": round(coverage.recorded / 1000, 3),
        "gap_seconds": round(coverage.gap_seconds / 1000, 3),
        "gaps": gaps_json(coverage),
        "advice": ADVICE.get(coverage.state),
    }


def footage_json(footage: Footage) -> dict[str, Any]:
    return {
        "evidence_id": str(footage.evidence_id),
        "matched": footage.matched.value,
        "device_id": str(footage.device_id),
        "device_serial": footage.device_serial,
        "officer_id": footage.officer_id,
        "case_number": None if footage.case_number is None else str(footage.case_number),
        "started_at": format_time(footage.started_at),
        "ended_at": None if footage.ended_at is None else format_time(footage.ended_at),
        "received_at": format_time(footage.received_at),
        "clock_offset_ms": footage.clock_offset_ms,
        "corrected": _corrected(footage),
    }


def _corrected(footage: Footage) -> dict[str, str | None] | None:
    """The span on the station's clock, as coverage reads it, when the dock measured the
    camera's clock off (docs/compliance.md); None when nothing was corrected."""
    if not footage.clock_offset_ms:
        return None
    shift = timedelta(milliseconds=footage.clock_offset_ms)
    end = footage.ended_at
    return {
        "started_at": format_time(footage.started_at - shift),
        "ended_at": None if end is None else format_time(end - shift),
    }


def suggestion_json(suggestion: Suggestion) -> dict[str, Any]:
    """A recording suggested for an act: the recording, the act, and what ties them."""
    return dict(
        footage_json(suggestion.footage),
        act_id=suggestion.act.act_id,
        matched_on=list(suggestion.matched_on),
    )


def recording_json(stored: StoredObject) -> dict[str, Any]:
    return {
        "evidence_id": str(stored.evidence_id),
        "case_number": None if stored.case_number is None else str(stored.case_number),
        "device_id": str(stored.device_id),
        "officer_id": stored.officer_id,
        "file_name": stored.file_name,
        "started_at": format_time(stored.started_at),
        "ended_at": None if stored.ended_at is None else format_time(stored.ended_at),
        **claimed_times(stored),
        "received_at": format_time(stored.received_at),
    }


def exemption_json(exemption: ExemptionRecord) -> dict[str, Any]:
    withdrawal = exemption.withdrawal
    return {
        "exemption_id": exemption.exemption_id,
        "act_id": exemption.act_id,
        "reason": exemption.reason.value,
        "approver": exemption.approver,
        "approved_at": format_time(exemption.approved_at),
        "note": exemption.note,
        "recorded_by": exemption.recorded_by,
        "recorded_at": format_time(exemption.recorded_at),
        "act_revision": exemption.act_revision,
        "lapsed": exemption.lapsed,  # the act was edited since: a new exemption is needed
        "standing": exemption.standing,
        "withdrawal": None
        if withdrawal is None
        else {
            "withdrawn_by": withdrawal.withdrawn_by,
            "withdrawn_at": format_time(withdrawal.withdrawn_at),
            "reason": withdrawal.reason,
        },
    }


def decision_json(decision: DecisionRecord) -> dict[str, Any]:
    return {
        "evidence_id": str(decision.evidence_id),
        "act_id": decision.act_id,
        "decision": decision.decision.value,
        "decided_by": decision.decided_by,
        "decided_at": format_time(decision.decided_at),
        "note": decision.note,
    }


def _stored(name: str, value: Any) -> Any:
    """History keeps values as the index stores them; times are shown as elsewhere."""
    if name in ("started_at", "ended_at") and isinstance(value, str):
        return format_time(parse_time(value))
    return value


def change_json(change: ActChange) -> dict[str, Any]:
    """One history entry, naming only the fields that changed (all, for the registration)."""
    old = change.old or {}
    changes = {
        name: {"old": _stored(name, old.get(name)), "new": _stored(name, value)}
        for name, value in change.new.items()
        if change.old is None or old.get(name) != value
    }
    return {
        "revision": change.revision,
        "changed_by": change.changed_by,
        "changed_at": format_time(change.changed_at),
        "reason": change.reason,
        "registered": change.old is None,
        "changes": changes,
    }


def officer_json(officer: OfficerRecord) -> dict[str, Any]:
    return {"officer_id": officer.officer_id, "name": officer.name, "unit": officer.unit}
