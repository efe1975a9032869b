"""Cases and their enforcement acts: register, correct (on the record), look up.

Every channel (JSON body, command line, CSV row) describes an act as an ``ActDraft`` and
``settle`` turns it into stored values: the case number under the configured rule, the
act type by code or by its 事项 name in the catalogue in force, a window that does not
end before it starts. Errors name the draft's field, so a CSV import can name the column.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidence.catalogue import Catalogue
from evidence.errors import (
    BadRequest,
    Forbidden,
    MalformedBody,
    StaleRevision,
    UnknownAct,
    UnknownCase,
)
from evidence.tlog.leaf_parts import Actor
from ingest.compliance.catalogues import current_catalogue
from ingest.compliance.decision_entries import edit_entry
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.roles import edit_roles, window_changes
from ingest.free_text import check_text
from storage.compliance_records import ActRecord, ActValues, CaseRecord

__all__ = [
    "EDITABLE",
    "ActDraft",
    "case_record",
    "edit_act",
    "get_act",
    "get_case",
    "register_act",
    "register_case",
    "settle",
]

log = logging.getLogger(__name__)

EDITABLE = (
    "case_number",
    "act_type",
    "started_at",
    "ended_at",
    "place",
    "officers",
    "devices",
    "reference",
)
MAX_PARTIES = 50  # officers or devices named on one act


@dataclass(frozen=True, slots=True)
class ActDraft:
    case_number: str
    act_type: str  # a code or a 事项 name
    started_at: datetime
    ended_at: datetime
    place: str | None = None
    officers: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    reference: str | None = None

    @classmethod
    def of(cls, values: ActValues) -> ActDraft:
        return cls(
            case_number=str(values.case_number),
            act_type=values.act_type,
            started_at=values.started_at,
            ended_at=values.ended_at,
            place=values.place,
            officers=values.officers,
            devices=values.devices,
            reference=values.reference,
        )


def _named(field: str, parse: Any, value: Any) -> Any:
    try:
        return parse(value)
    except BadRequest as exc:
        raise type(exc)(f"{field}: {exc.message}", field=field) from exc


def settle(desk: ComplianceDesk, catalogue: Catalogue, draft: ActDraft) -> ActValues:
    case_number = _named("case_number", desk.case_rule.parse, draft.case_number)
    entry = _named("act_type", catalogue.resolve, draft.act_type)
    for field, moment in (("started_at", draft.started_at), ("ended_at", draft.ended_at)):
        if moment.tzinfo is None:
            raise MalformedBody(f"{field} needs a UTC offset", field=field)
    if draft.ended_at < draft.started_at:
        raise MalformedBody("the act ends before it starts", field="ended_at")
    for field, names in (("officers", draft.officers), ("devices", draft.devices)):
        if len(names) > MAX_PARTIES:
            raise MalformedBody(f"{field}: at most {MAX_PARTIES}", field=field)
        for name in names:
            check_text(field, name, 128)
    return ActValues(
        case_number=case_number,
        act_type=entry.act_type.code,
        started_at=draft.started_at,
        ended_at=draft.ended_at,
        place=check_text("place", draft.place, 256),
        officers=tuple(dict.fromkeys(draft.officers)),
        devices=tuple(dict.fromkeys(draft.devices)),
        reference=check_text("reference", draft.reference, 128),
    )


def case_record(
    desk: ComplianceDesk, case_number: str, agency: str, subject: str | None, by: str
) -> CaseRecord:
    return CaseRecord(
        case_number=_named("case_number", desk.case_rule.parse, case_number),
        agency=check_text("agency", agency, 128) or "",
        subject=check_text("subject", subject, 256),
        created_by=by,
        created_at=desk.clock(),
    )


async def register_case(
    desk: ComplianceDesk, case_number: str, agency: str, subject: str | None, by: str
) -> tuple[CaseRecord, bool]:
    record, new = await desk.index.cases.add_case(
        case_record(desk, case_number, agency, subject, by)
    )
    if new:
        log.info("case %s (%s) registered by %s", record.case_number, record.agency, by)
    return record, new


async def register_act(desk: ComplianceDesk, draft: ActDraft, by: str) -> tuple[ActRecord, bool]:
    catalogue, _ = await current_catalogue(desk)
    values = settle(desk, catalogue, draft)
    record, new = await desk.index.cases.add_act(values, by, desk.clock())
    if new:
        log.info(
            "act %d (%s) of %s registered by %s",
            record.act_id,
            values.act_type,
            values.case_number,
            by,
        )
    return record, new


def _check_editable(changes: Mapping[str, Any]) -> None:
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise MalformedBody(f"these fields cannot be edited: {', '.join(unknown)}")
    if not changes:
        raise MalformedBody("an edit changes at least one field")


async def edit_act(
    desk: ComplianceDesk,
    act_id: int,
    changes: Mapping[str, Any],
    by: Actor,
    reason: str | None,
    revision: int | None = None,
    role: str | None = None,
) -> ActRecord:
    """Apply ``changes`` (typed values by field name) to an act. With ``revision``, only
    if the act is still at it: a replayed or crossing edit fails instead of winning. With
    ``role`` (over the API), only if that role may make this edit (``roles.edit_roles``);
    the command line, run on the server's files, passes none."""
    _check_editable(changes)
    held = await get_act(desk, act_id)
    if revision is not None and revision != held.revision:  # the index checks it again
        raise StaleRevision(
            f"act {act_id} is at revision {held.revision}, not {revision}",
            revision=held.revision,
        )
    catalogue, _ = await current_catalogue(desk)
    values = settle(desk, catalogue, dataclasses.replace(ActDraft.of(held.values), **changes))
    allowed = edit_roles(catalogue, held.values, values)
    if role is not None and role not in allowed:
        raise Forbidden(
            f"changing {', '.join(window_changes(held.values, values))} of an act whose duty "
            f"is full needs one of {', '.join(allowed)}"
        )
    why, now, base = check_text("reason", reason, 512), desk.clock(), revision or held.revision
    changed = [
        f.name
        for f in dataclasses.fields(values)
        if getattr(held.values, f.name) != getattr(values, f.name)
    ]
    leaf = edit_entry(held, base + 1, changed, why, by, now)
    edited = await desk.index.cases.edit_act(act_id, base, values, by.name, why, now, leaf=leaf)
    log.info("act %d edited by %s (revision %d)", act_id, by.name, edited.revision)
    return edited


async def get_act(desk: ComplianceDesk, act_id: int) -> ActRecord:
    record = await desk.index.cases.act(act_id)
    if record is None:
        raise UnknownAct(f"no act {act_id}")
    return record


async def get_case(desk: ComplianceDesk, case_number: str) -> CaseRecord:
    number = _named("case_number", desk.case_rule.parse, case_number)
    record = await desk.index.cases.case(number)
    if record is None:
        raise UnknownCase(f"no case {number}")
    return record
