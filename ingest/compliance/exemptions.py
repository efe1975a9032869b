"""Exemptions: an act whose duty is ``full`` may lack footage for a reason from a fixed
list (state secret, privacy, emergency, objectively impossible), approved by a named
person at a stated time. The exemption is itself on the record: who entered it and when;
a withdrawal is a further record (who, when, why), never a deletion, and the act is
measured again as if never exempted. An exemption excuses the act at the revision it was
entered for: once the act is edited, it lapses (kept, no longer standing), and the act is
measured again until a new exemption is entered."""

from __future__ import annotations

import logging
from datetime import datetime

from evidence.catalogue import Duty
from evidence.errors import DutyNotFull, MalformedBody
from evidence.tlog.leaf_parts import Actor
from ingest.compliance.acts import get_act
from ingest.compliance.catalogues import current_catalogue
from ingest.compliance.decision_entries import exemption_entry, withdrawal_entry
from ingest.compliance.desk import ComplianceDesk
from ingest.free_text import check_text
from storage.compliance_records import ExemptionReason, ExemptionRecord

__all__ = ["exempt", "withdraw"]

log = logging.getLogger(__name__)


async def exempt(
    desk: ComplianceDesk,
    act_id: int,
    reason: ExemptionReason,
    approver: str,
    approved_at: datetime,
    note: str | None,
    by: Actor,
) -> ExemptionRecord:
    act = await get_act(desk, act_id)
    catalogue, _ = await current_catalogue(desk)
    duty = catalogue.entry(act.values.act_type).duty
    if duty is not Duty.FULL:
        raise DutyNotFull(
            f"act {act_id} ({act.values.act_type}) has duty {duty}; nothing to exempt"
        )
    approver = check_text("approver", approver, 128) or ""
    now = desk.clock()
    record = await desk.index.exemptions.add(
        act_id,
        reason,
        approver,
        approved_at,
        check_text("note", note, 1024),
        by.name,
        now,
        leaf=exemption_entry(act, reason, approver, approved_at, by, now),
    )
    log.warning(
        "act %d exempted (%s), approved by %s, entered by %s", act_id, reason, approver, by.name
    )
    return record


async def withdraw(
    desk: ComplianceDesk, exemption_id: int, reason: str, by: Actor
) -> ExemptionRecord:
    why = check_text("reason", reason, 1024) or ""
    if not why.strip():
        raise MalformedBody("a withdrawal says why", field="reason")
    now = desk.clock()
    record = await desk.index.exemptions.withdraw(
        exemption_id, why, by.name, now, leaf=withdrawal_entry(exemption_id, why, by, now)
    )
    log.warning("exemption %d of act %d withdrawn by %s", exemption_id, record.act_id, by.name)
    return record
