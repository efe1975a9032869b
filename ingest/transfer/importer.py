"""Importing another agency's evidence package (R13; docs/evidence-package.md#import).

The archive is unpacked and checked by the very code that is the package's verify.py
(``evidence.package.verify_package``): a package that fails any step is refused with the
step named (``package_refused``) and nothing of it is kept. A package that passes has its
originals and review copies stored (write-once, by SHA-256), and its objects, their
signed documents, its provenance and a custody log entry (``liuhen.log.custody``,
``received``) kept in one transaction. The same archive again (by its SHA-256) returns
what was received the first time and writes nothing."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.digest import Sha256
from evidence.errors import PackageRefused
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.package.verify_package import (
    Report,
    manifest_path,
    object_path,
    receipt_path,
    verify_package,
)
from evidence.strict_json import parse_time
from evidence.tlog.leaf_decisions import CustodyChange, CustodyLeaf, Provenance
from evidence.tlog.leaf_parts import Actor, ObjectRef
from evidence.tlog.leaves import leaf_bytes
from ingest.clock import Clock
from ingest.transfer.unpack import sha256_of, unpack
from runtime.private_files import make_private_dirs
from storage.interfaces import BlobStore, Received
from storage.received_records import ReceivedObject, ReceivedPackage

__all__ = ["Imported", "Importer"]


@dataclass(frozen=True, slots=True)
class Imported:
    package: ReceivedPackage
    objects: list[ReceivedObject]
    new: bool


@dataclass(frozen=True)
class Importer:
    received: Received
    store: BlobStore
    clock: Clock
    work_dir: Path
    limit: int  # the largest archive taken, in bytes (server.max_upload_bytes)

    def scratch(self) -> Path:
        """A new path in the work folder, for an archive arriving."""
        make_private_dirs(self.work_dir)
        return self.work_dir / f"{uuid.uuid4().hex}.upload"

    async def receive(self, actor: Actor, archive: Path) -> Imported:
        """Verify, store and log the package in ``archive`` (which the caller removes)."""
        package_sha256 = Sha256(await asyncio.to_thread(sha256_of, archive))
        held = await self.received.package(package_sha256)
        if held is not None:
            return Imported(held, await self.received.objects(package_sha256), False)
        folder = self.work_dir / uuid.uuid4().hex
        try:
            await asyncio.to_thread(unpack, archive, folder)
            report = await asyncio.to_thread(verify_package, folder)
            _refuse_unless_intact(report)
            items = [await self._store(folder, o) for o in report.package["objects"]]
            package = self._provenance(report, package_sha256, actor)
            kept, new = await self.received.receive(
                package, items, leaf=leaf_bytes(self._leaf(package, items, actor))
            )
            return Imported(kept, await self.received.objects(package_sha256), new)
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    async def _store(self, folder: Path, listed: dict[str, Any]) -> ReceivedObject:
        sha, role = listed["sha256"], Role.parse(listed["role"])
        manifest = (folder / manifest_path(sha)).read_bytes()
        locator = await asyncio.to_thread(
            self.store.put_file, folder / object_path(role.value, sha), Sha256(sha), listed["size"]
        )
        return ReceivedObject(
            Sha256(sha),
            EvidenceId(listed["evidence_id"]),
            role,
            DeviceId(listed["device_id"]),
            listed["size"],
            self.store.name,
            locator,
            json.loads(manifest)["case_number"],  # as the device signed it
            manifest,
            (folder / manifest_path(sha, "sig")).read_bytes(),
            (folder / receipt_path(sha)).read_bytes(),
            (folder / receipt_path(sha, "sig")).read_bytes(),
        )

    def _provenance(self, report: Report, package_sha256: Sha256, actor: Actor) -> ReceivedPackage:
        doc = report.package
        return ReceivedPackage(
            package_sha256,
            str(doc.get("agency") or doc["origin"].split("/", 1)[0]),
            doc["origin"],
            doc["checkpoint_size"],
            Sha256.from_raw(report.checkpoint_root),
            doc["exported_by"]["name"],
            parse_time(doc["exported_at"]),
            actor.name,
            self.clock(),
        )

    @staticmethod
    def _leaf(package: ReceivedPackage, items: list[ReceivedObject], actor: Actor) -> CustodyLeaf:
        provenance = Provenance(
            package.agency,
            package.origin,
            package.checkpoint_size,
            package.checkpoint_root,
            package.sent_by,
            package.sent_at,
            package.package_sha256,
        )
        refs = tuple(ObjectRef(o.evidence_id, o.role, o.sha256) for o in items)
        return CustodyLeaf(
            CustodyChange.RECEIVED, refs, provenance, actor, None, package.received_at
        )


def _refuse_unless_intact(report: Report) -> None:
    failed = report.first_failure
    if failed is not None:
        raise PackageRefused(
            f"the package fails at step {failed.step}: {failed.message}",
            step=failed.step,
            steps=[r.line() for r in report.results],
        )
