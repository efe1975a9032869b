"""The custody-log leaves the server writes for what happens in its rooms, as exact bytes
(``evidence.tlog.leaves``), handed to the index method that records the event so both are
kept in one transaction (docs/custody-log.md#what-is-logged-when)."""

from __future__ import annotations

from datetime import datetime

from evidence.digest import Sha256
from evidence.receipt import SignedReceipt
from evidence.tlog.leaf_decisions import Decision, DecisionLeaf, Subject
from evidence.tlog.leaf_events import FixityFailure, FixityLeaf, IngestLeaf
from evidence.tlog.leaf_parts import Actor, ObjectRef
from evidence.tlog.leaves import leaf_bytes

__all__ = ["decision_entry", "fixity_entry", "ingest_entry"]


def ingest_entry(signed: SignedReceipt) -> bytes:
    """An object verified and stored: what its receipt attests, and the receipt's hash."""
    receipt = signed.receipt
    return leaf_bytes(
        IngestLeaf(
            receipt.evidence_id,
            receipt.role,
            receipt.device_id,
            receipt.sha256,
            receipt.manifest_sha256,
            Sha256.of(signed.body),
            receipt.received_at,
        )
    )


def decision_entry(
    decision: Decision,
    actor: Actor,
    subject: Subject,
    at: datetime,
    reason: str | None = None,
    detail: str | None = None,
) -> bytes:
    return leaf_bytes(DecisionLeaf(decision, actor, subject, reason, detail, at))


def fixity_entry(ref: ObjectRef, audit: str, failure: FixityFailure | None, at: datetime) -> bytes:
    return leaf_bytes(FixityLeaf(ref, audit, failure, at))
