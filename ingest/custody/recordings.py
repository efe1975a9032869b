"""What a custodian sees of a recording: its objects, attested metadata, verification
status and open flags. Shared by the JSON API and the CLI."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidence.case_number import CaseNumberRule
from evidence.errors import NotFound, StorageFailure
from evidence.identifiers import EvidenceId, Role
from evidence.strict_json import format_time
from ingest.custody.flags import flag_json
from storage.interfaces import Flags, Manifests, Objects
from storage.records import ManifestRecord, StoredObject, VerificationRecord

__all__ = ["Recordings", "claimed_times", "receipt_json"]


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def receipt_json(stored: StoredObject) -> dict[str, Any]:
    """What a device or custodian gets back when an object is stored: its signed receipt."""
    return {
        "evidence_id": str(stored.evidence_id),
        "role": stored.role.value,
        "sha256": stored.sha256.hex,
        "receipt": _b64(stored.receipt_body),
        "signature": _b64(stored.receipt_signature),
    }


def _verification(record: VerificationRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "ok": record.ok,
        "checked_at": format_time(record.checked_at),
        "checks": json.loads(record.detail),
    }


def claimed_times(stored: StoredObject) -> dict[str, str | None]:
    """What the device claims, kept beside the measured span (never used as coverage)."""
    return {
        "claimed_started_at": _time_or_none(stored.claimed_started_at),
        "claimed_ended_at": _time_or_none(stored.claimed_ended_at),
    }


def _time_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)


def _summary(stored: StoredObject) -> dict[str, Any]:
    return {
        "evidence_id": str(stored.evidence_id),
        "case_number": None if stored.case_number is None else str(stored.case_number),
        "device_id": str(stored.device_id),
        "file_name": stored.file_name,
        "started_at": format_time(stored.started_at),
        "ended_at": None if stored.ended_at is None else format_time(stored.ended_at),
        **claimed_times(stored),
        "place": stored.place,
        "officer_id": stored.officer_id,
        "size": stored.size,
        "sha256": stored.sha256.hex,
        "received_at": format_time(stored.received_at),
    }


@dataclass(frozen=True)
class Recordings:
    objects: Objects
    flags: Flags
    uploads: Manifests  # the manifests
    case_rule: CaseNumberRule

    async def find(
        self, case_number: str | None, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Stored originals, newest capture first, each with its latest verification, its
        open flags and its objects; those of one case when ``case_number`` is given."""
        normalised = None if case_number is None else str(self.case_rule.parse(case_number))
        originals = await self.objects.originals(normalised, limit, offset)
        results = []
        for stored in originals:
            summary = _summary(stored)
            latest = await self.objects.latest_verification(stored.evidence_id, stored.role)
            summary["verification"] = _verification(latest)
            summary["open_flags"] = [
                flag.kind for flag in await self.flags.open_for(stored.evidence_id)
            ]
            summary["objects"] = [
                item.role.value for item in await self.objects.of_recording(stored.evidence_id)
            ]
            results.append(summary)
        return results

    async def get(self, evidence_id: EvidenceId) -> dict[str, Any]:
        """One recording in full: every object with its manifest, receipt and latest
        verification, and the recording's open flags."""
        objects = await self.objects.of_recording(evidence_id)
        if not objects:
            raise NotFound(f"no stored recording {evidence_id}")
        original = next((o for o in objects if o.role.value == "original"), objects[0])
        result = _summary(original)
        result["objects"] = [await self._object(stored) for stored in objects]
        result["flags"] = [flag_json(flag) for flag in await self.flags.open_for(evidence_id)]
        return result

    async def _object(self, stored: StoredObject) -> dict[str, Any]:
        manifest = await self.uploads.manifest(stored.evidence_id, stored.role)
        if manifest is None:
            raise StorageFailure(f"{stored.evidence_id}/{stored.role} is stored without a manifest")
        latest = await self.objects.latest_verification(stored.evidence_id, stored.role)
        return {
            "role": stored.role.value,
            "size": stored.size,
            "sha256": stored.sha256.hex,
            "chunk_root": stored.chunk_root.hex,
            "store": stored.store,
            "locator": stored.locator,
            "sequence": stored.sequence,
            "manifest_sha256": stored.manifest_sha256.hex,
            "manifest": json.loads(manifest.body),
            "receipt": {
                "body": _b64(stored.receipt_body),
                "signature": _b64(stored.receipt_signature),
            },
            "verification": _verification(latest),
        }

    async def manifest(self, evidence_id: EvidenceId, role: Role) -> ManifestRecord:
        """A manifest's exact signed bytes and signature, for checking with openssl."""
        record = await self.uploads.manifest(evidence_id, role)
        if record is None:
            raise NotFound(f"no manifest for {evidence_id}/{role}")
        return record
