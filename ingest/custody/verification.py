"""Re-verify stored objects now, trusting only signatures (``fixity_checks.py``): read the
bytes back from where the server-signed receipt says they are, and hold them, the index's
rows and the custody log's ingest entry against the signed receipt and manifest.

Each object's result is kept (a verification), a failure raises a ``verification_failed``
flag, and a fixity entry goes to the custody log, pass or fail, all in one transaction.
An object the log saw ingested and the index no longer holds is recorded the same way
(``record_missing``): a deleted row leaves its trace.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidence.case_number import CaseNumberRule
from evidence.digest import CHUNK_SIZE, READ_BUFFER_SIZE, Fingerprint, StreamingFingerprint
from evidence.errors import LiuhenError, NotFound, StorageFailure
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.keys import Ed25519PublicKey, public_key_from_raw
from evidence.manifest import SignedManifest
from evidence.receipt import SignedReceipt
from evidence.strict_json import format_time
from evidence.tlog.leaf_backfill import BackfillLeaf
from evidence.tlog.leaf_events import FixityFailure, FixityStep, IngestLeaf
from evidence.tlog.leaf_parts import ObjectRef
from evidence.tlog.leaves import parse_leaf
from ingest.clock import Clock
from ingest.custody.fixity_checks import Check, Held, first_failure, run_checks
from ingest.custody.flags import FlagKind, new_flag
from ingest.custody.log_entries import fixity_entry
from storage.interfaces import BlobStore, Devices, LogIngests, Manifests, Objects
from storage.records import ManifestRecord, NewFlag, StoredObject, VerificationRecord

__all__ = ["Verifier", "audit_name"]

log = logging.getLogger(__name__)


def audit_name(kind: str, at: datetime) -> str:
    """An audit's name in its log entries: what ran it and when (UTC, to the second)."""
    return f"{kind}-{at.strftime('%Y%m%dT%H%M%SZ')}"


def _fingerprint_stored(store: BlobStore, locator: str, chunk_size: int) -> Fingerprint:
    fingerprint = StreamingFingerprint(chunk_size)
    for block in store.read(locator, READ_BUFFER_SIZE):
        fingerprint.update(block)
    return fingerprint.finish()


def _failed_flag(
    ref: ObjectRef, device: str | None, detail: dict[str, Any], now: datetime
) -> NewFlag:
    return new_flag(
        FlagKind.VERIFICATION_FAILED,
        f"{ref.evidence_id}/{ref.role}",
        detail,
        now,
        device_id=None if device is None else DeviceId(device),
        evidence_id=ref.evidence_id,
        role=ref.role,
    )


@dataclass(frozen=True)
class Verifier:
    objects: Objects
    uploads: Manifests  # the manifests
    devices: Devices  # the keys they verify under
    log: LogIngests  # the ingest entries, and where fixity entries go
    store: BlobStore
    server_key: Callable[[], Ed25519PublicKey]  # checks receipts; loaded when first needed
    case_rule: CaseNumberRule
    clock: Clock

    async def verify(self, evidence_id: EvidenceId, audit: str | None = None) -> dict[str, Any]:
        """Every object of a recording, now (``recordings verify``)."""
        objects = await self.objects.of_recording(evidence_id)
        if not objects:
            raise NotFound(f"no stored recording {evidence_id}")
        name = audit or audit_name("verify", self.clock())
        results = [await self.check(stored, name) for stored in objects]
        return {
            "evidence_id": str(evidence_id),
            "ok": all(result["ok"] for result in results),
            "objects": results,
        }

    async def check(self, stored: StoredObject, audit: str) -> dict[str, Any]:
        """One object: gather, check, and keep the result, its flag and its log entry."""
        checks = run_checks(await self._gather(stored))
        failure = first_failure(checks)
        ref = ObjectRef(stored.evidence_id, stored.role)
        await self._record(ref, str(stored.device_id), audit, checks, failure)
        return {
            "role": stored.role.value,
            "ok": failure is None,
            "sha256": stored.sha256.hex,
            "checked_at": format_time(self.clock()),
            "checks": [check.to_json() for check in checks],
            "failure": None if failure is None else failure.to_json(),
        }

    async def record_missing(self, ref: ObjectRef, device: str, audit: str) -> None:
        """The log saw this object ingested; the index no longer holds it."""
        detail = "logged as ingested, missing from the index"
        check = Check("index", False, "index_missing", detail, FixityStep.INDEX_MISSING)
        await self._record(
            ref, device, audit, [check], FixityFailure(FixityStep.INDEX_MISSING, None, detail)
        )

    async def _record(
        self,
        ref: ObjectRef,
        device: str | None,
        audit: str,
        checks: list[Check],
        failure: FixityFailure | None,
    ) -> None:
        now = self.clock()
        flags: tuple[NewFlag, ...] = ()
        if failure is not None:
            failed = [check.name for check in checks if not check.ok]
            log.error("fixity FAILED for %s/%s: %s", ref.evidence_id, ref.role, failure.detail)
            detail = {
                "failed": failed,
                "step": failure.step.value,
                "chunk": failure.chunk,
                "audit": audit,
            }
            flags = (_failed_flag(ref, device, detail, now),)
        record = VerificationRecord(
            ref.evidence_id,
            ref.role,
            now,
            failure is None,
            json.dumps([check.to_json() for check in checks], ensure_ascii=False),
        )
        # The verdict, its flag and its log entry together: never one without the others.
        leaf = fixity_entry(ref, audit, failure, now)
        await self.objects.add_verification(record, flags, leaf=leaf)

    async def _gather(self, stored: StoredObject) -> Held:
        manifest = await self.uploads.manifest(stored.evidence_id, stored.role)
        signed = self._read_manifest(manifest)
        receipt = _read_receipt(stored)
        locator = stored.locator if receipt is None else receipt.receipt.locator
        chunk_size = CHUNK_SIZE if signed is None else signed.manifest.chunk_size
        fingerprint, error = await self._read_bytes(locator, chunk_size)
        return Held(
            stored=stored,
            manifest=manifest,
            signed=signed,
            device_key=await self._device_key(manifest, signed),
            receipt=receipt,
            server_key=self.server_key(),
            ingest=await self._ingest_entry(stored.evidence_id, stored.role),
            fingerprint=fingerprint,
            read_error=error,
        )

    def _read_manifest(self, manifest: ManifestRecord | None) -> SignedManifest | None:
        if manifest is None:
            return None
        try:
            return SignedManifest.read_stored(manifest.body, manifest.signature, self.case_rule)
        except LiuhenError:
            return None

    async def _device_key(
        self, manifest: ManifestRecord | None, signed: SignedManifest | None
    ) -> Ed25519PublicKey | None:
        """The key registered under the id the signed manifest names, if it is its device's."""
        if manifest is None or signed is None:
            return None
        key = await self.devices.key(signed.manifest.key_id)
        if key is None or key.device_id != signed.manifest.device_id:
            return None
        return public_key_from_raw(key.public_key)

    async def _read_bytes(
        self, locator: str, chunk_size: int
    ) -> tuple[Fingerprint | None, LiuhenError | None]:
        try:
            found = await asyncio.to_thread(_fingerprint_stored, self.store, locator, chunk_size)
        except StorageFailure as exc:
            return None, exc
        return found, None

    async def _ingest_entry(self, evidence_id: EvidenceId, role: Role) -> IngestLeaf | None:
        entry = await self.log.ingest_leaf(evidence_id, role)
        if entry is None:
            return None
        try:
            leaf = parse_leaf(entry.body)
        except LiuhenError:
            return None
        if isinstance(leaf, BackfillLeaf):
            return leaf.ingest
        return leaf if isinstance(leaf, IngestLeaf) else None


def _read_receipt(stored: StoredObject) -> SignedReceipt | None:
    try:
        return SignedReceipt.parse(stored.receipt_body, stored.receipt_signature)
    except LiuhenError:
        return None
