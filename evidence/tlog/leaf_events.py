"""Leaves for what happens to stored objects: ingest, access, fixity (see ``leaves``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from evidence.digest import Sha256
from evidence.errors import InvalidIdentifier, MalformedLogLeaf
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.strict_json import Fields
from evidence.tlog.leaf_parts import Actor, ObjectRef, choice, utc_text

__all__ = ["AccessAction", "AccessLeaf", "FixityFailure", "FixityLeaf", "FixityStep", "IngestLeaf"]


@dataclass(frozen=True, slots=True)
class IngestLeaf:
    """The server verified and stored one object and signed a receipt for it."""

    TYPE: ClassVar[str] = "liuhen.log.ingest"
    VERSION: ClassVar[int] = 1
    evidence_id: EvidenceId
    role: Role
    device_id: DeviceId
    sha256: Sha256
    manifest_sha256: Sha256
    receipt_sha256: Sha256
    received_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "evidence_id": str(self.evidence_id),
            "role": self.role.value,
            "device_id": str(self.device_id),
            "sha256": self.sha256.hex,
            "manifest_sha256": self.manifest_sha256.hex,
            "receipt_sha256": self.receipt_sha256.hex,
            "received_at": utc_text(self.received_at),
        }

    @classmethod
    def read(cls, f: Fields) -> IngestLeaf:
        try:
            return cls(
                EvidenceId(f.text("evidence_id", max_length=36)),
                Role.parse(f.text("role", max_length=16)),
                DeviceId(f.text("device_id", max_length=64)),
                Sha256(f.text("sha256", max_length=64)),
                Sha256(f.text("manifest_sha256", max_length=64)),
                Sha256(f.text("receipt_sha256", max_length=64)),
                f.time("received_at"),
            )
        except InvalidIdentifier as exc:
            raise MalformedLogLeaf(f"an ingest leaf: {exc.message}") from None


class AccessAction(enum.StrEnum):
    VIEW = "view"
    STREAM = "stream"
    DOWNLOAD = "download"
    EXPORT = "export"


@dataclass(frozen=True, slots=True)
class AccessLeaf:
    """A person looked at footage or took it away, for a stated purpose. Logged before the
    first byte is served. Names the objects, a whole case, or both."""

    TYPE: ClassVar[str] = "liuhen.log.access"
    VERSION: ClassVar[int] = 1
    actor: Actor
    action: AccessAction
    purpose: str
    case: str | None
    objects: tuple[ObjectRef, ...]
    at: datetime

    def __post_init__(self) -> None:
        if self.case is None and not self.objects:
            raise MalformedLogLeaf("an access names a case or the objects reached")
        if not self.purpose.strip() or len(self.purpose) > 1024:
            raise MalformedLogLeaf("an access states its purpose, at most 1024 characters")

    def to_json(self) -> dict[str, Any]:
        return {
            "actor": self.actor.to_json(),
            "action": self.action.value,
            "purpose": self.purpose,
            "case": self.case,
            "objects": [ref.to_json() for ref in self.objects],
            "at": utc_text(self.at),
        }

    @classmethod
    def read(cls, f: Fields) -> AccessLeaf:
        return cls(
            Actor.read(f.section("actor")),
            choice(f, "action", AccessAction),
            f.text("purpose", max_length=1024),
            f.optional_text("case", max_length=64),
            ObjectRef.read_list(f, "objects"),
            f.time("at"),
        )


class FixityStep(enum.StrEnum):
    """Where an audit of one object failed. An audit reports every check; its leaf names
    the first failure in this order, from the most trusted anchor down (a manifest swapped
    in the index is named as such, not as the wrong size the bytes then have)."""

    RECEIPT_SIGNATURE = "receipt_signature"  # the server's receipt does not verify
    RECEIPT_MISMATCH = "receipt_mismatch"  # the receipt names another manifest or object
    MANIFEST_SIGNATURE = "manifest_signature"  # the device's signature does not verify
    MISSING = "missing"  # the stored object cannot be read
    SIZE = "size"  # its size is not the signed one
    CHUNKS = "chunks"  # a chunk's SHA-256 is not the signed one (``chunk`` names it)
    SHA256 = "sha256"  # the whole-file SHA-256 is not the signed one
    INDEX_MISMATCH = "index_mismatch"  # the index or the log disagrees with the signed documents
    INDEX_MISSING = "index_missing"  # logged as ingested, gone from the index


@dataclass(frozen=True, slots=True)
class FixityFailure:
    step: FixityStep
    chunk: int | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if (self.chunk is not None) != (self.step is FixityStep.CHUNKS):
            raise MalformedLogLeaf("a chunk is named exactly when the step is chunks")
        if self.detail is not None and not 0 < len(self.detail) <= 1024:
            raise MalformedLogLeaf("a failure's detail is 1-1024 characters")

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step.value, "chunk": self.chunk, "detail": self.detail}

    @classmethod
    def read(cls, f: Fields) -> FixityFailure:
        failure = cls(
            choice(f, "step", FixityStep),
            f.optional_integer("chunk"),
            f.optional_text("detail", max_length=1024),
        )
        f.done()
        return failure


@dataclass(frozen=True, slots=True)
class FixityLeaf:
    """One audit re-read one object: ``failure`` is None when it was intact."""

    TYPE: ClassVar[str] = "liuhen.log.fixity"
    VERSION: ClassVar[int] = 1
    object: ObjectRef
    audit: str
    failure: FixityFailure | None
    at: datetime

    def __post_init__(self) -> None:
        if not 0 < len(self.audit) <= 64 or not self.audit.isprintable():
            raise MalformedLogLeaf("an audit is named in 1-64 printable characters")

    def to_json(self) -> dict[str, Any]:
        return {
            "object": self.object.to_json(),
            "audit": self.audit,
            "ok": self.failure is None,
            "failure": None if self.failure is None else self.failure.to_json(),
            "at": utc_text(self.at),
        }

    @classmethod
    def read(cls, f: Fields) -> FixityLeaf:
        ok = f.boolean("ok")
        section = f.optional_section("failure")
        if ok != (section is None):
            raise MalformedLogLeaf("ok is true exactly when no failure is named", field="ok")
        failure = None if section is None else FixityFailure.read(section)
        return cls(
            ObjectRef.read(f.section("object")),
            f.text("audit", max_length=64),
            failure,
            f.time("at"),
        )
