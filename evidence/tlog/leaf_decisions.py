"""Leaves for what people decide: custody changes and compliance decisions (``leaves``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from evidence.digest import Sha256
from evidence.errors import InvalidIdentifier, MalformedLogLeaf
from evidence.identifiers import EvidenceId
from evidence.strict_json import Fields
from evidence.tlog.leaf_parts import Actor, ObjectRef, choice, utc_text

__all__ = ["CustodyChange", "CustodyLeaf", "Decision", "DecisionLeaf", "Provenance", "Subject"]


class CustodyChange(enum.StrEnum):
    RECEIVED = "received"  # from another agency's Liuhen, with its provenance (R13)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where received evidence came from: the sending agency, its log and checkpoint (the
    package's proofs were checked against it), who sent it and when, the package's hash."""

    agency: str
    origin: str
    checkpoint_size: int
    checkpoint_root: Sha256
    sent_by: str
    sent_at: datetime
    package_sha256: Sha256

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "origin": self.origin,
            "checkpoint_size": self.checkpoint_size,
            "checkpoint_root": self.checkpoint_root.hex,
            "sent_by": self.sent_by,
            "sent_at": utc_text(self.sent_at),
            "package_sha256": self.package_sha256.hex,
        }

    @classmethod
    def read(cls, f: Fields) -> Provenance:
        try:
            provenance = cls(
                f.text("agency", max_length=256),
                f.text("origin", max_length=255),
                f.integer("checkpoint_size", minimum=1),
                Sha256(f.text("checkpoint_root", max_length=64)),
                f.text("sent_by", max_length=64),
                f.time("sent_at"),
                Sha256(f.text("package_sha256", max_length=64)),
            )
        except InvalidIdentifier as exc:
            raise MalformedLogLeaf(f"a provenance: {exc.message}") from None
        f.done()
        return provenance


@dataclass(frozen=True, slots=True)
class CustodyLeaf:
    TYPE: ClassVar[str] = "liuhen.log.custody"
    VERSION: ClassVar[int] = 1
    change: CustodyChange
    objects: tuple[ObjectRef, ...]
    provenance: Provenance | None
    actor: Actor
    note: str | None
    at: datetime

    def __post_init__(self) -> None:
        if not self.objects or any(ref.sha256 is None for ref in self.objects):
            raise MalformedLogLeaf("a custody change names its objects with their SHA-256")
        if (self.provenance is None) == (self.change is CustodyChange.RECEIVED):
            raise MalformedLogLeaf("evidence received from another agency carries provenance")

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change.value,
            "objects": [ref.to_json() for ref in self.objects],
            "provenance": None if self.provenance is None else self.provenance.to_json(),
            "actor": self.actor.to_json(),
            "note": self.note,
            "at": utc_text(self.at),
        }

    @classmethod
    def read(cls, f: Fields) -> CustodyLeaf:
        provenance = f.optional_section("provenance")
        return cls(
            choice(f, "change", CustodyChange),
            ObjectRef.read_list(f, "objects", with_digest=True),
            None if provenance is None else Provenance.read(provenance),
            Actor.read(f.section("actor")),
            f.optional_text("note", max_length=1024),
            f.time("at"),
        )


class Decision(enum.StrEnum):
    EXEMPTION = "exemption"
    EXEMPTION_WITHDRAWN = "exemption_withdrawn"
    SUGGESTION_CONFIRMED = "suggestion_confirmed"
    SUGGESTION_REJECTED = "suggestion_rejected"
    FLAG_RESOLVED = "flag_resolved"
    ACT_EDITED = "act_edited"


# What each decision is about, and which must say why.
_NEEDS: dict[Decision, tuple[str, ...]] = {
    Decision.EXEMPTION: ("act_id",),
    Decision.EXEMPTION_WITHDRAWN: ("exemption_id",),
    Decision.SUGGESTION_CONFIRMED: ("act_id", "evidence_id"),
    Decision.SUGGESTION_REJECTED: ("act_id", "evidence_id"),
    Decision.FLAG_RESOLVED: ("flag_id",),
    Decision.ACT_EDITED: ("act_id",),
}
_GIVES_REASON = {Decision.EXEMPTION, Decision.EXEMPTION_WITHDRAWN, Decision.FLAG_RESOLVED}


@dataclass(frozen=True, slots=True)
class Subject:
    """What a decision is about, by the index's ids (null where they do not apply)."""

    case: str | None = None
    act_id: int | None = None
    evidence_id: EvidenceId | None = None
    flag_id: int | None = None
    exemption_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        evidence = None if self.evidence_id is None else str(self.evidence_id)
        return {
            "case": self.case,
            "act_id": self.act_id,
            "evidence_id": evidence,
            "flag_id": self.flag_id,
            "exemption_id": self.exemption_id,
        }

    @classmethod
    def read(cls, f: Fields) -> Subject:
        evidence = f.optional_text("evidence_id", max_length=36)
        try:
            subject = cls(
                f.optional_text("case", max_length=64),
                f.optional_integer("act_id", minimum=1),
                None if evidence is None else EvidenceId(evidence),
                f.optional_integer("flag_id", minimum=1),
                f.optional_integer("exemption_id", minimum=1),
            )
        except InvalidIdentifier as exc:
            raise MalformedLogLeaf(f"a decision's subject: {exc.message}") from None
        f.done()
        return subject


@dataclass(frozen=True, slots=True)
class DecisionLeaf:
    TYPE: ClassVar[str] = "liuhen.log.decision"
    VERSION: ClassVar[int] = 1
    decision: Decision
    actor: Actor
    subject: Subject
    reason: str | None
    detail: str | None
    at: datetime

    def __post_init__(self) -> None:
        missing = [key for key in _NEEDS[self.decision] if getattr(self.subject, key) is None]
        if missing:
            raise MalformedLogLeaf(f"a {self.decision} names its {', '.join(missing)}")
        if self.decision in _GIVES_REASON and not (self.reason or "").strip():
            raise MalformedLogLeaf(f"a {self.decision} states its reason")

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "actor": self.actor.to_json(),
            "subject": self.subject.to_json(),
            "reason": self.reason,
            "detail": self.detail,
            "at": utc_text(self.at),
        }

    @classmethod
    def read(cls, f: Fields) -> DecisionLeaf:
        return cls(
            choice(f, "decision", Decision),
            Actor.read(f.section("actor")),
            Subject.read(f.section("subject")),
            f.optional_text("reason", max_length=1024),
            f.optional_text("detail", max_length=1024),
            f.time("at"),
        )
