"""Re-verify a stored recording now: read its bytes back from the store and check them,
the device's signature and the server's receipt. Every check reports; the result is kept,
and a failure raises a flag in the same transaction."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidence.case_number import CaseNumberRule
from evidence.digest import READ_BUFFER_SIZE, Fingerprint, StreamingFingerprint
from evidence.errors import NotFound, StorageFailure
from evidence.identifiers import EvidenceId
from evidence.keys import Ed25519PublicKey, public_key_from_raw
from evidence.manifest import SignedManifest
from evidence.receipt import SignedReceipt
from evidence.strict_json import format_time
from ingest.clock import Clock
from ingest.custody.flags import FlagKind, new_flag
from ingest.custody.policies import (
    AllOf,
    ChunksMatch,
    DigestMatches,
    Outcome,
    ReceiptValid,
    SignatureValid,
    SizeMatches,
    Subject,
)
from storage.interfaces import BlobStore, Devices, Objects, Uploads
from storage.records import NewFlag, StoredObject, VerificationRecord

__all__ = ["VERIFY_POLICIES", "Verifier"]

log = logging.getLogger(__name__)

VERIFY_POLICIES = AllOf(
    SignatureValid(), SizeMatches(), DigestMatches(), ChunksMatch(), ReceiptValid()
)


def _fingerprint_stored(store: BlobStore, locator: str, chunk_size: int) -> Fingerprint:
    fingerprint = StreamingFingerprint(chunk_size)
    for block in store.read(locator, READ_BUFFER_SIZE):
        fingerprint.update(block)
    return fingerprint.finish()


@dataclass(frozen=True)
class Verifier:
    objects: Objects
    uploads: Uploads  # the manifests
    devices: Devices  # the keys they verify under
    store: BlobStore
    server_key: Callable[[], Ed25519PublicKey]  # checks receipts; loaded when first needed
    case_rule: CaseNumberRule
    clock: Clock

    async def verify(self, evidence_id: EvidenceId) -> dict[str, Any]:
        objects = await self.objects.of_recording(evidence_id)
        if not objects:
            raise NotFound(f"no stored recording {evidence_id}")
        results = [await self._verify_object(stored) for stored in objects]
        return {
            "evidence_id": str(evidence_id),
            "ok": all(result["ok"] for result in results),
            "objects": results,
        }

    async def _verify_object(self, stored: StoredObject) -> dict[str, Any]:
        outcomes = await self._outcomes(stored)
        ok = all(outcome.ok for outcome in outcomes)
        checked_at = self.clock()
        checks = [
            {"check": o.policy, "ok": o.ok, "code": o.code, "message": o.message} for o in outcomes
        ]
        flags: tuple[NewFlag, ...] = ()
        if not ok:
            log.error("verification FAILED for %s/%s", stored.evidence_id, stored.role)
            failed = [o.policy for o in outcomes if not o.ok]
            flags = (_failed_flag(stored, failed, checked_at),)
        # The verdict and its flag together: a failure is never kept without its flag.
        await self.objects.add_verification(
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

    async def _outcomes(self, stored: StoredObject) -> list[Outcome]:
        """Read the stored bytes back, then let every policy report."""
        record = await self.uploads.manifest(stored.evidence_id, stored.role)
        if record is None:  # an object is only ever indexed with its manifest
            raise StorageFailure(f"{stored.evidence_id}/{stored.role} is stored without a manifest")
        signed = SignedManifest.read_stored(record.body, record.signature, self.case_rule)
        key = await self.devices.key(record.key_id)
        outcomes: list[Outcome] = []
        try:
            fingerprint: Fingerprint | None = await asyncio.to_thread(
                _fingerprint_stored, self.store, stored.locator, signed.manifest.chunk_size
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
            server_key=self.server_key(),
        )
        return outcomes + VERIFY_POLICIES.evaluate(subject)


def _failed_flag(stored: StoredObject, failed: list[str], now: datetime) -> NewFlag:
    return new_flag(
        FlagKind.VERIFICATION_FAILED,
        f"{stored.evidence_id}/{stored.role}",
        {"failed": failed},
        now,
        device_id=stored.device_id,
        evidence_id=stored.evidence_id,
        role=stored.role,
    )
