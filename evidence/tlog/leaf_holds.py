"""The leaf for a legal hold set or lifted (``leaves``; docs/retention.md#legal-holds).

A hold is on a case (every recording attached to it) or on one recording, by evidence id;
exactly one of ``case`` and ``evidence_id`` is given. Setting and lifting both say who,
when and why; a lift names the hold it ends (``hold_id``, the index's number for it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from evidence.errors import InvalidIdentifier, MalformedLogLeaf
from evidence.identifiers import EvidenceId
from evidence.strict_json import Fields
from evidence.tlog.leaf_parts import Actor, choice, utc_text

__all__ = ["HoldChange", "HoldLeaf"]


class HoldChange(enum.StrEnum):
    SET = "set"
    LIFTED = "lifted"


@dataclass(frozen=True, slots=True)
class HoldLeaf:
    TYPE: ClassVar[str] = "liuhen.log.hold"
    VERSION: ClassVar[int] = 1
    change: HoldChange
    case: str | None
    evidence_id: EvidenceId | None
    hold_id: int | None
    actor: Actor
    reason: str
    at: datetime

    def __post_init__(self) -> None:
        if (self.case is None) == (self.evidence_id is None):
            raise MalformedLogLeaf("a hold is on a case or on a recording: exactly one")
        if (self.hold_id is None) != (self.change is HoldChange.SET):
            raise MalformedLogLeaf("a lifted hold names its hold_id, and only a lifted one")
        if not self.reason.strip():
            raise MalformedLogLeaf("a hold states its reason")

    def to_json(self) -> dict[str, Any]:
        evidence = None if self.evidence_id is None else str(self.evidence_id)
        return {
            "change": self.change.value,
            "case": self.case,
            "evidence_id": evidence,
            "hold_id": self.hold_id,
            "actor": self.actor.to_json(),
            "reason": self.reason,
            "at": utc_text(self.at),
        }

    @classmethod
    def read(cls, f: Fields) -> HoldLeaf:
        change = choice(f, "change", HoldChange)
        case = f.optional_text("case", max_length=64)
        evidence = f.optional_text("evidence_id", max_length=36)
        try:
            evidence_id = None if evidence is None else EvidenceId(evidence)
        except InvalidIdentifier as exc:
            raise MalformedLogLeaf(f"a hold's recording: {exc.message}") from None
        hold_id = f.optional_integer("hold_id", minimum=1)
        actor = Actor.read(f.section("actor"))
        return cls(change, case, evidence_id, hold_id, actor, f.text("reason"), f.time("at"))
