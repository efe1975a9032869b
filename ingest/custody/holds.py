"""Legal holds: set on a registered case or a stored recording, lifted once, each with who,
when and why, logged in the custody log in the same transaction (``liuhen.log.hold``).

A hold keeps what it covers from becoming removable, whatever the retention class says
(docs/retention.md#legal-holds). Setting one twice is two holds (two reasons, two people);
each is lifted on its own. What a change means for the stores (S3 legal hold flags) is
done by ``on_change`` once the index has kept it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from evidence.case_number import CaseNumberRule
from evidence.errors import AlreadyLifted, MalformedBody, NotFound, UnknownCase, UnknownHold
from evidence.identifiers import EvidenceId
from evidence.strict_json import Fields, format_time
from evidence.tlog.leaf_holds import HoldChange, HoldLeaf
from evidence.tlog.leaf_parts import Actor
from evidence.tlog.leaves import leaf_bytes
from ingest.clock import Clock
from ingest.free_text import check_text
from storage.hold_records import HoldRecord, NewHold
from storage.interfaces import Cases, Holds, Objects

__all__ = ["HoldDesk", "HoldTarget", "hold_json", "hold_target"]

log = logging.getLogger(__name__)

OnChange = Callable[[HoldRecord], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HoldTarget:
    """What a hold is on: a case (its number as typed) or a recording; exactly one."""

    case_number: str | None
    evidence_id: EvidenceId | None


def hold_target(body: dict[str, Any]) -> tuple[HoldTarget, str]:
    """``{"case_number": …}`` or ``{"evidence_id": …}``, with ``"reason"``."""
    fields = Fields(body, MalformedBody)
    case = fields.optional_text("case_number", max_length=64) if "case_number" in body else None
    evidence = fields.optional_text("evidence_id", max_length=36) if "evidence_id" in body else None
    reason = check_text("reason", fields.text("reason", max_length=1024), 1024)
    fields.done()
    if (case is None) == (evidence is None):
        raise MalformedBody("a hold is on a case_number or an evidence_id: give exactly one")
    evidence_id = None if evidence is None else fields.convert("evidence_id", evidence, EvidenceId)
    return HoldTarget(case, evidence_id), str(reason)


def hold_json(hold: HoldRecord) -> dict[str, Any]:
    lift = hold.lift
    return {
        "hold_id": hold.hold_id,
        "case_number": hold.case_number,
        "evidence_id": None if hold.evidence_id is None else str(hold.evidence_id),
        "reason": hold.reason,
        "set_by": hold.set_by,
        "set_role": hold.set_role,
        "set_at": format_time(hold.set_at),
        "log_index": hold.log_index,
        "standing": hold.standing,
        "lift": None
        if lift is None
        else {
            "reason": lift.reason,
            "lifted_by": lift.by,
            "lifted_role": lift.role,
            "lifted_at": format_time(lift.at),
            "log_index": lift.log_index,
        },
    }


async def _nothing(_: HoldRecord) -> None:
    return None


class HoldDesk:
    def __init__(
        self,
        holds: Holds,
        cases: Cases,
        objects: Objects,
        case_rule: CaseNumberRule,
        clock: Clock,
        on_change: OnChange = _nothing,
    ) -> None:
        self.holds, self.cases, self.objects = holds, cases, objects
        self.case_rule, self.clock, self.on_change = case_rule, clock, on_change

    async def _known(self, target: HoldTarget) -> HoldTarget:
        if target.case_number is not None:
            number = self.case_rule.parse(target.case_number)
            if await self.cases.case(number) is None:
                raise UnknownCase(f"no case {number} is registered")
            return HoldTarget(str(number), None)
        assert target.evidence_id is not None  # noqa: S101 -- hold_target gives exactly one
        if not await self.objects.of_recording(target.evidence_id):
            raise NotFound(f"no stored recording {target.evidence_id}")
        return target

    async def set(self, target: HoldTarget, reason: str, actor: Actor) -> HoldRecord:
        target = await self._known(target)
        now = self.clock()
        case, evidence = target.case_number, target.evidence_id
        leaf = HoldLeaf(HoldChange.SET, case, evidence, None, actor, reason, now)
        new = NewHold(case, evidence, reason, actor.name, actor.role.value, now)
        held = await self.holds.set(new, leaf=leaf_bytes(leaf))
        log.info("legal hold %d set on %s by %s", held.hold_id, case or evidence, actor.name)
        await self.on_change(held)
        return held

    async def lift(self, hold_id: int, reason: str, actor: Actor) -> HoldRecord:
        held = await self.holds.hold(hold_id)
        if held is None:
            raise UnknownHold(f"no legal hold {hold_id}")
        now = self.clock()
        case, evidence = held.case_number, held.evidence_id
        leaf = HoldLeaf(HoldChange.LIFTED, case, evidence, hold_id, actor, reason, now)
        new = NewHold(case, evidence, reason, actor.name, actor.role.value, now)
        done = await self.holds.lift(hold_id, new, leaf=leaf_bytes(leaf))
        if done is None:
            raise UnknownHold(f"no legal hold {hold_id}")
        lifted, changed = done
        if not changed:
            by = lifted.lift.by if lifted.lift is not None else None
            raise AlreadyLifted(f"legal hold {hold_id} was lifted before", lifted_by=by)
        log.info("legal hold %d lifted by %s", hold_id, actor.name)
        await self.on_change(lifted)
        return lifted
