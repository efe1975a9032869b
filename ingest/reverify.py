"""Re-verify a stored recording now: read its bytes back from the store and check them,
the device's signature and the server's receipt. Every check reports; the result is kept."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from evidence.digest import READ_BUFFER_SIZE, Fingerprint, StreamingFingerprint
from evidence.errors import NotFound, StorageFailure
from evidence.identifiers import EvidenceId
from evidence.keys import public_key_from_raw
from evidence.manifest import SignedManifest
from evidence.receipt import SignedReceipt
from evidence.strict_json import format_time
from ingest.context import ServerContext
from ingest.flags import FlagKind, new_flag
from ingest.policies import (
    AllOf,
    ChunksMatch,
    DigestMatches,
    Outcome,
    ReceiptValid,
    SignatureValid,
    SizeMatches,
    Subject,
)
from storage.interfaces import BlobStore
from storage.records import NewFlag, StoredObject, VerificationRecord

__all__ = ["VERIFY_POLICIES", "verify_recording"]

log = logging.getLogger(__name__)

VERIFY_POLICIES = AllOf(
    SignatureValid(), SizeMatches(), DigestMatches(), ChunksMatch(), ReceiptValid()
)


def _fingerprint_stored(store: BlobStore, locator: str, chunk_size: int) -> Fingerprint:
    fingerprint = StreamingFingerprint(chunk_size)
    for block in store.read(locator, READ_BUFFER_SIZE):
        fingerprint.update(block)
    return fingerprint.finish()


async def _outcomes(ctx: ServerContext, stored: StoredObject) -> list[Outcome]:
    """Every check of a stored object against its signed documents, as outcomes."""
    record = await ctx.index.uploads.manifest(stored.evidence_id, stored.role)
    if record is None:  # an object is only ever indexed with its manifest
        raise StorageFailure(f"{stored.evidence_id}/{stored.role} is stored without a manifest")
    signed = SignedManifest.read_stored(record.body, record.signature, ctx.case_rule)
    key = await ctx.index.devices.key(record.key_id)
    outcomes: list[Outcome] = []
    try:
        fingerprint = await asyncio.to_thread(
            _fingerprint_stored, ctx.store, stored.locator, signed.manifest.chunk_size
        )
        outcomes.append(Outcome("stored_bytes", True))
    except StorageFailure as exc:
        fingerprint = None
        outcomes.append(Outcome("stored_bytes", False, exc.code, exc.message))
    subject = Subject(
        signed=signed,
        device_key=None if key is None else public_key_from_raw(key.public_key),
        fingerprint=fingerprint,
        receipt=SignedReceipt.parse(stored.receipt_body, stored.receipt_signature),
        server_key=ctx.server_key.public_key(),
    )
    return outcomes + VERIFY_POLICIES.evaluate(subject)


def _failure_flag(
    ctx: ServerContext, stored: StoredObject, checks: list[dict[str, Any]]
) -> NewFlag:
    log.error("verification FAILED for %s/%s", stored.evidence_id, stored.role)
    return new_flag(
        ctx,
        FlagKind.VERIFICATION_FAILED,
        f"{stored.evidence_id}/{stored.role}",
        {"failed": [c["check"] for c in checks if not c["ok"]]},
        device_id=stored.device_id,
        evidence_id=stored.evidence_id,
        role=stored.role,
    )


async def _verify_object(ctx: ServerContext, stored: StoredObject) -> dict[str, Any]:
    outcomes = await _outcomes(ctx, stored)
    ok = all(outcome.ok for outcome in outcomes)
    checked_at = ctx.clock()
    checks = [
        {"check": o.policy, "ok": o.ok, "code": o.code, "message": o.message} for o in outcomes
    ]
    flags = () if ok else (_failure_flag(ctx, stored, checks),)
    # The verdict and its flag together: a failure is never kept without its flag.
    await ctx.index.objects.add_verification(
        VerificationRecord(stored.evidence_id, stored.role, checked_at, ok, json.dumps(checks)),
        flags,
    )
    return {
        "role": stored.role.value,
        "ok": ok,
        "sha256": stored.sha256.hex,
        "checked_at": format_time(checked_at),
        "checks": checks,
    }


async def verify_recording(ctx: ServerContext, evidence_id: EvidenceId) -> dict[str, Any]:
    objects = await ctx.index.objects.of_recording(evidence_id)
    if not objects:
        raise NotFound(f"no stored recording {evidence_id}")
    results = [await _verify_object(ctx, stored) for stored in objects]
    return {
        "evidence_id": str(evidence_id),
        "ok": all(result["ok"] for result in results),
        "objects": results,
    }
