"""The custody-log leaves of compliance decisions (docs/custody-log.md#liuhenlogdecision):
who decided, when, why and about what, written in the transaction that keeps the decision.

What goes in ``detail`` is short and fixed in form: an exemption's approver and approval
time, an edit's new revision and the fields it changed. Notes and the values themselves
stay in the index (and an act's history); the log says that the decision was made.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from evidence.identifiers import EvidenceId
from evidence.strict_json import format_time
from evidence.tlog.leaf_decisions import Decision, Subject
from evidence.tlog.leaf_parts import Actor
from ingest.custody.log_entries import decision_entry
from storage.compliance_records import ActRecord, ExemptionReason
from storage.compliance_records import Decision as Choice

__all__ = ["edit_entry", "exemption_entry", "suggestion_entry", "withdrawal_entry"]


def _detail(values: dict[str, object]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def exemption_entry(
    act: ActRecord,
    reason: ExemptionReason,
    approver: str,
    approved_at: datetime,
    by: Actor,
    now: datetime,
) -> bytes:
    subject = Subject(case=str(act.values.case_number), act_id=act.act_id)
    detail = _detail({"approver": approver, "approved_at": format_time(approved_at)})
    return decision_entry(Decision.EXEMPTION, by, subject, now, reason.value, detail)


def withdrawal_entry(exemption_id: int, reason: str, by: Actor, now: datetime) -> bytes:
    subject = Subject(exemption_id=exemption_id)
    return decision_entry(Decision.EXEMPTION_WITHDRAWN, by, subject, now, reason)


def suggestion_entry(
    choice: Choice,
    act: ActRecord,
    evidence_id: EvidenceId,
    note: str | None,
    by: Actor,
    now: datetime,
) -> bytes:
    decision = (
        Decision.SUGGESTION_CONFIRMED
        if choice is Choice.CONFIRMED
        else Decision.SUGGESTION_REJECTED
    )
    subject = Subject(case=str(act.values.case_number), act_id=act.act_id, evidence_id=evidence_id)
    return decision_entry(decision, by, subject, now, note)


def edit_entry(
    act: ActRecord,
    revision: int,
    changed: Iterable[str],
    reason: str | None,
    by: Actor,
    now: datetime,
) -> bytes:
    subject = Subject(case=str(act.values.case_number), act_id=act.act_id)
    detail = _detail({"revision": revision, "changed": sorted(changed)})
    return decision_entry(Decision.ACT_EDITED, by, subject, now, reason, detail)
