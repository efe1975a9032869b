"""Exporting an evidence package (docs/evidence-package.md).

The order is retrieval's: the objects are found first (nothing is logged for a refused
request), then the export is committed to the custody log as an access (``export``: who,
in what role, why, which objects), and only then is a byte copied. The checkpoint that
covers the export's own entry is the one every proof in the package is against, so the
package proves its own export too."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence.case_number import CaseNumberRule
from evidence.errors import LogUnavailable, StorageFailure
from evidence.identifiers import EvidenceId
from evidence.keys import public_key_from_raw, public_key_pem
from evidence.package.verify_package import (
    LOG_KEY,
    LOG_VKEY,
    PACKAGE_TYPE,
    PACKAGE_VERSION,
    SERVER_KEY,
    device_key_path,
)
from evidence.tlog.leaf_events import AccessAction, AccessLeaf
from evidence.tlog.leaf_parts import Actor, ObjectRef, utc_text
from evidence.tlog.leaves import leaf_bytes
from ingest.clock import Clock
from ingest.custody_log.proofs import LogProofs
from ingest.custody_log.published_keys import KeyDirectory
from ingest.retrieval.purposes import check_purpose
from ingest.transfer.package_files import (
    PackageContents,
    PackedObject,
    remove_package,
    tar_package,
    write_package,
)
from ingest.transfer.selection import entries_about, objects_of
from runtime.private_files import make_private_dirs
from storage.interfaces import BlobStore, CustodyLog, Devices, Manifests, ObjectLookup
from storage.records import StoredObject

__all__ = ["Exporter"]

log = logging.getLogger(__name__)

READ_BUFFER = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Export:
    """A package written: its folder and its archive, both removed once it is sent."""

    folder: Path
    archive: Path
    log_index: int
    objects: int


@dataclass(frozen=True)
class Exporter:
    objects: ObjectLookup
    store: BlobStore
    work_dir: Path  # where packages are written before they are sent, on the server
    uploads: Manifests
    devices: Devices
    log: CustodyLog  # accesses go in; the entries about the exported objects come out
    proofs: LogProofs
    keys: KeyDirectory
    clock: Clock
    case_rule: CaseNumberRule
    agency: str

    async def log_export(
        self, actor: Actor, stored: Sequence[StoredObject], case: str | None, purpose: str
    ) -> tuple[int, datetime]:
        """Commit the export to the custody log before anything is copied."""
        refs = tuple(ObjectRef(o.evidence_id, o.role) for o in stored)
        now = self.clock()
        leaf = AccessLeaf(actor, AccessAction.EXPORT, check_purpose(purpose), case, refs, now)
        try:
            entry = await self.log.append(leaf_bytes(leaf))
        except StorageFailure as exc:
            raise LogUnavailable(
                "the custody log could not record this export, so nothing is exported"
            ) from exc
        log.info("%s (%s) exported %d objects: %s", actor.name, actor.role, len(refs), purpose)
        return entry.index, now

    async def select(
        self, case: str | None, evidence_ids: Sequence[EvidenceId]
    ) -> tuple[str | None, list[StoredObject]]:
        """The case's number in its one form (any typed form is taken), and the objects a
        package of that case or these recordings holds. Nothing is logged."""
        number = None if case is None else str(self.case_rule.parse(case))
        return number, await objects_of(self.objects, number, evidence_ids)

    async def export(
        self, actor: Actor, stored: Sequence[StoredObject], case: str | None, purpose: str
    ) -> Export:
        """Log the export, then write the package and its archive (``Export``)."""
        contents = await self.contents(actor, stored, case, purpose)
        await asyncio.to_thread(make_private_dirs, self.work_dir)
        name = uuid.uuid4().hex
        folder, archive = self.work_dir / name, self.work_dir / f"{name}.tar"
        try:
            await asyncio.to_thread(write_package, folder, contents, self._read)
            await asyncio.to_thread(tar_package, folder, archive)
        except BaseException:
            await asyncio.to_thread(self.discard, folder, archive)
            raise
        return Export(folder, archive, contents.document["export_entry"], len(stored))

    def _read(self, locator: str) -> Iterator[bytes]:
        return self.store.read(locator, READ_BUFFER)

    @staticmethod
    def discard(folder: Path, archive: Path) -> None:
        remove_package(folder)
        archive.unlink(missing_ok=True)

    async def contents(
        self, actor: Actor, stored: Sequence[StoredObject], case: str | None, purpose: str
    ) -> PackageContents:
        """Log the export, then gather everything the package holds but the bytes."""
        export_index, at = await self.log_export(actor, stored, case, purpose)
        covering = await self.proofs.inclusion(export_index)
        checkpoint = covering.checkpoint
        size = checkpoint.checkpoint.size
        entries = []
        for entry in await entries_about(self.log, size, stored, case):
            proof = await self.proofs.inclusion(entry.index, size)
            entries.append((entry.index, entry.body, proof.to_bytes()))
        document = {
            "type": PACKAGE_TYPE,
            "version": PACKAGE_VERSION,
            "agency": self.agency,
            "origin": self.keys.log.origin,
            "case": case,
            "purpose": purpose,
            "exported_by": actor.to_json(),
            "exported_at": utc_text(at),
            "export_entry": export_index,
            "checkpoint_size": size,
            "entries": [index for index, _, _ in entries],
            "objects": [_listed(o) for o in stored],
        }
        packed = tuple([await self._packed(o) for o in stored])
        keys = await self._keys(packed)
        return PackageContents(document, packed, tuple(entries), checkpoint.to_bytes(), keys)

    async def _packed(self, stored: StoredObject) -> PackedObject:
        manifest = await self.uploads.manifest(stored.evidence_id, stored.role)
        if manifest is None:
            raise StorageFailure(f"the manifest of {stored.evidence_id}/{stored.role} is gone")
        chunks = json.loads(manifest.body)["chunks"]["sha256"]
        return PackedObject(stored, manifest.body, manifest.signature, tuple(chunks))

    async def _keys(self, packed: Sequence[PackedObject]) -> dict[str, bytes]:
        identity = self.keys.log
        keys = {
            SERVER_KEY: public_key_pem(self.keys.server_key),
            LOG_KEY: public_key_pem(identity.verifier.public_key),
            LOG_VKEY: (identity.vkey + "\n").encode(),
        }
        for item in packed:
            key_id = json.loads(item.manifest_body)["signer"]["key_id"]
            record = await self.devices.key(key_id)
            if record is None:
                raise StorageFailure(f"the device key {key_id} is not registered")
            pem = public_key_pem(public_key_from_raw(record.public_key))
            keys[device_key_path(str(item.stored.device_id))] = pem
        return keys


def _listed(stored: StoredObject) -> dict[str, Any]:
    return {
        "evidence_id": str(stored.evidence_id),
        "role": stored.role.value,
        "sha256": stored.sha256.hex,
        "size": stored.size,
        "device_id": str(stored.device_id),
        "case_number": None if stored.case_number is None else str(stored.case_number),
        "file_name": stored.file_name,
    }
