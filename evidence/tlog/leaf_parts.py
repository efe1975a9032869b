"""The parts log leaves share: who acted, which recordings, when; read strictly.

Every time in a leaf is UTC, written with a ``Z`` (``strict_json.format_time``), so each
leaf has one spelling; a reader refuses any other (``leaves.parse_leaf`` compares bytes).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from evidence.digest import Sha256
from evidence.errors import InvalidIdentifier, MalformedLogLeaf
from evidence.identifiers import EvidenceId, Role
from evidence.strict_json import Fields, format_time

__all__ = ["Actor", "ActorRole", "ObjectRef", "choice", "utc_text"]

MAX_OBJECTS = 1000
E = TypeVar("E", bound=enum.StrEnum)


class ActorRole(enum.StrEnum):
    """The roles a person may hold (issue 11): each action records the role it was done in."""

    CUSTODIAN = "custodian"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


def choice(fields: Fields, key: str, kind: type[E]) -> E:
    """Read an enumerated text field; an unknown value names the field and the choices."""
    text = fields.text(key, max_length=64)
    try:
        return kind(text)
    except ValueError:
        names = ", ".join(item.value for item in kind)
        raise MalformedLogLeaf(f"field {key} must be one of {names}", field=key) from None


def utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise MalformedLogLeaf("a log time must carry its zone")
    return format_time(moment.astimezone(UTC))


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, by user name, and the role they acted in."""

    name: str
    role: ActorRole

    def __post_init__(self) -> None:
        if not 0 < len(self.name) <= 64 or not self.name.isprintable():
            raise MalformedLogLeaf("an actor's name is 1-64 printable characters")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role.value}

    @classmethod
    def read(cls, fields: Fields) -> Actor:
        actor = cls(fields.text("name", max_length=64), choice(fields, "role", ActorRole))
        fields.done()
        return actor


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One stored object: a recording's original, review copy or transcript; the digest
    when the leaf vouches for the bytes (custody changes)."""

    evidence_id: EvidenceId
    role: Role
    sha256: Sha256 | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"evidence_id": str(self.evidence_id), "role": self.role.value}
        return body if self.sha256 is None else {**body, "sha256": self.sha256.hex}

    @classmethod
    def read(cls, fields: Fields, *, with_digest: bool = False) -> ObjectRef:
        try:
            ref = cls(
                EvidenceId(fields.text("evidence_id", max_length=36)),
                Role.parse(fields.text("role", max_length=16)),
                Sha256(fields.text("sha256", max_length=64)) if with_digest else None,
            )
        except InvalidIdentifier as exc:
            raise MalformedLogLeaf(f"an object reference: {exc.message}") from None
        fields.done()
        return ref

    @classmethod
    def read_list(
        cls, fields: Fields, key: str, *, with_digest: bool = False
    ) -> tuple[ObjectRef, ...]:
        items = fields.section_list(key, max_items=MAX_OBJECTS)
        return tuple(cls.read(item, with_digest=with_digest) for item in items)
