"""Leaves for the custody tests: one of each kind the server writes."""

from datetime import UTC, datetime

from evidence.digest import Sha256
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.tlog.leaf_decisions import Decision, DecisionLeaf, Subject
from evidence.tlog.leaf_events import AccessAction, AccessLeaf, IngestLeaf
from evidence.tlog.leaf_parts import Actor, ActorRole, ObjectRef
from evidence.tlog.leaves import leaf_bytes

AT = datetime(2026, 3, 12, 1, 30, 5, tzinfo=UTC)
CLERK = Actor("王警官", ActorRole.CUSTODIAN)


def access(n: int = 0, case: str | None = "A2026-001", actor: Actor = CLERK) -> bytes:
    ref = ObjectRef(EvidenceId.new(), Role.ORIGINAL)
    return leaf_bytes(AccessLeaf(actor, AccessAction.STREAM, f"复核 {n}", case, (ref,), AT))


def ingest(evidence_id: EvidenceId | None = None, role: Role = Role.ORIGINAL) -> bytes:
    digest = Sha256.of(b"x")
    leaf = IngestLeaf(
        evidence_id or EvidenceId.new(), role, DeviceId("dock-1"), digest, digest, digest, AT
    )
    return leaf_bytes(leaf)


def resolution(flag_id: int) -> bytes:
    leaf = DecisionLeaf(
        Decision.FLAG_RESOLVED, CLERK, Subject(flag_id=flag_id), "checked", None, AT
    )
    return leaf_bytes(leaf)
