"""Drive one file from ``ready`` to ``receipted``, one idempotent step at a time.

Each step does its side effect, then commits the new state to the journal, so a crash
between the two repeats a step that is safe to repeat. A step that fails for a reason
that may pass (network, server busy, device not allowed yet) is retried with capped,
jittered exponential backoff, for ever; a refusal by the server of what the agent signed
holds the file with an alarm and tries it again slowly, for ever; a file that changed on
the dock after it was signed is rejected with an alarm (agent/retries.py). Whatever
happens, the file stays on the dock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent import failpoints
from agent.capture_context import CaptureContext, extras_for
from agent.completeness import Observation
from agent.config import AgentConfig
from agent.derivation import Derivation
from agent.fingerprinting import feed_file_two_threads, fingerprint_two_threads
from agent.gone import file_gone
from agent.journal import FileRow, Journal
from agent.manifests import SOFTWARE, Signer, build_derived, build_original
from agent.media.probe import probe
from agent.priority import urgency
from agent.progress import Meter
from agent.server_api import ServerApi
from agent.setbacks import Setbacks
from agent.states import TERMINAL, FileState, allowed
from agent.throttle import Throttle
from agent.tus_client import TusClient
from agent.unmade import report_unmade
from agent.uploader import upload_file
from agent.work_report import WorkReport
from devices.sidecar import Sidecar
from devices.sidecars import FoundSidecar, load_sidecar
from evidence.case_number import CaseNumberRule
from evidence.digest import Fingerprint, StreamingFingerprint
from evidence.errors import (
    BadSignature,
    JournalError,
    LiuhenError,
    ManifestNotRegistered,
    ReceiptMismatch,
    UploadIncomplete,
)
from evidence.identifiers import Role
from evidence.keys import Ed25519PublicKey

__all__ = ["Pipeline", "observe_file", "sidecar_of"]

log = logging.getLogger(__name__)


def found_sidecar(path: Path) -> FoundSidecar | None:
    """The dock's sidecar beside ``path``, of either shape; its problem is logged."""
    found = load_sidecar(path)
    if found is not None and found.problem is not None:
        log.warning(
            "%s: not using sidecar %s: %s", path.name, found.path.name, found.problem.message
        )
    return found


def sidecar_of(path: Path) -> Sidecar | None:
    """The dock's sidecar beside ``path``; None when there is none or it is unusable."""
    found = found_sidecar(path)
    return None if found is None else found.sidecar


def observe_file(path: Path) -> Observation:
    stat = path.stat()
    return Observation(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class _Watched(StreamingFingerprint):
    """A fingerprint that passes the hashing failpoint with each block it is fed."""

    def update_chunks(self, data: bytes | bytearray | memoryview) -> list[int]:
        failpoints.hit(failpoints.WHILE_HASHING)
        return super().update_chunks(data)


def _fingerprint_file(path: Path) -> Fingerprint:
    if failpoints.armed(failpoints.WHILE_HASHING):
        return feed_file_two_threads(_Watched(), path).finish()
    return fingerprint_two_threads(path)


@dataclass
class Pipeline:
    config: AgentConfig
    journal: Journal
    api: ServerApi
    signer: Signer
    rule: CaseNumberRule
    server_key: Ed25519PublicKey
    clock: Callable[[], float] = time.time
    context: CaptureContext | None = None  # docks, camera claims, room sessions
    throttle: Throttle | None = None

    def __post_init__(self) -> None:
        self.tus = TusClient(self.api, self.throttle, self.config.request_timeout_seconds)
        self.derivation = Derivation(self.config, self.journal, self.clock)
        self.setbacks = Setbacks(self.config, self.journal, self.clock)

    async def advance(self, row: FileRow) -> FileRow:
        """Take ``row`` as far as it will go now; return where it stopped."""
        row = await self._advance(row)
        if row.state is FileState.UNMADE and row.reported is None:
            profile = self.derivation.profile
            name = None if profile is None else profile.name
            row = await report_unmade(self.api, self.journal, self.setbacks, row, name)
        if row.state is FileState.RECEIPTED and row.role is Role.ORIGINAL:
            await self.derivation.plan(row, self.clock())
        elif row.state in TERMINAL and row.role is not Role.ORIGINAL:
            await self.derivation.finished(row, self.clock())
        return row

    async def _advance(self, row: FileRow) -> FileRow:
        # Back in ``discovered`` (it changed), the file is the settle loop's again.
        while row.state not in TERMINAL and row.state is not FileState.DISCOVERED:
            try:
                row = await self._step(row)
            except FileNotFoundError:  # renamed (the row follows it), or vanished
                row = await file_gone(self.journal, row, self.config.ignore, self.clock)
            except ManifestNotRegistered as exc:
                current = await self.journal.get(row.id)  # the step may have moved it
                if not allowed(current.state, FileState.SIGNED):
                    return await self.setbacks.failed(row, exc)
                row = await self.journal.move(
                    current, FileState.SIGNED, self.clock(), "server lost the manifest"
                )
            except UploadIncomplete:
                row = await self.journal.move(
                    await self.journal.get(row.id),
                    FileState.UPLOADING,
                    self.clock(),
                    "server lacks bytes",
                )
            except LiuhenError as exc:
                return await self.setbacks.failed(row, exc)
            except Exception as exc:  # a bug must not stop the agent or lose the file
                log.exception("unexpected failure on %s", row.path)
                return await self.setbacks.failed(row, LiuhenError(repr(exc)))
        return row

    async def _step(self, row: FileRow) -> FileRow:
        match row.state:
            case FileState.READY if row.role is Role.ORIGINAL:
                return await self._fingerprint(row)
            case FileState.READY:
                return await self._make_derived(row)
            case FileState.FINGERPRINTED:
                return await self._sign(row)
            case FileState.SIGNED:
                await self.api.register(row.signed(self.rule))
                return await self.journal.move(row, FileState.REGISTERED, self.clock())
            case FileState.REGISTERED | FileState.UPLOADING:
                return await self._upload(row)
            case FileState.UPLOADED:
                return await self._finalize(row)
            case FileState.HELD:
                if row.upload_url is not None:  # it may hold the bytes the server refused
                    await self.tus.terminate(row.upload_url)
                return await self.setbacks.retry_held(row)
        raise AssertionError(f"no step for {row.state}")

    async def _back_to_discovered(self, row: FileRow, seen: Observation) -> FileRow:
        log.info("%s changed while being processed; waiting for it to settle", row.path.name)
        return await self.journal.move(
            row,
            FileState.DISCOVERED,
            self.clock(),
            "changed",
            sha256=None,  # of bytes no longer there: no copy may be called a duplicate of them
            size=seen.size,
            mtime_ns=seen.mtime_ns,
            inode=seen.inode,
            unchanged_since=self.clock(),
            closed=0,
        )

    async def _fingerprint(self, row: FileRow) -> FileRow:
        before = observe_file(row.path)
        if before != row.observation:
            return await self._back_to_discovered(row, before)
        fingerprint, media = await asyncio.gather(  # both only read: side by side
            asyncio.to_thread(_fingerprint_file, row.path), asyncio.to_thread(probe, row.path)
        )
        after = observe_file(row.path)
        if after != before or fingerprint.size != after.size:
            return await self._back_to_discovered(row, after)
        if not media.decodable:
            log.warning(
                "%s is not decodable (%s); it is evidence all the same",
                row.path.name,
                media.problem,
            )
        row = await self.journal.record_fingerprint(
            row, fingerprint, after, self.clock(), media=media
        )
        if row.state is FileState.DUPLICATE:
            log.warning(
                "%s is the same footage as file %s (sha256 %s): not uploaded again",
                row.path,
                row.duplicate_of,
                fingerprint.sha256,
            )
        return row

    async def _make_derived(self, row: FileRow) -> FileRow:
        original = await self._original_of(row)
        made = await self.derivation.make(row, original)
        fingerprint = await asyncio.to_thread(_fingerprint_file, row.path)
        seen = observe_file(row.path)
        return await self.journal.record_fingerprint(
            row, fingerprint, seen, self.clock(), media=made.media, perceptual=made.perceptual
        )

    async def _original_of(self, row: FileRow) -> FileRow:
        if row.parent_id is None:
            raise JournalError(f"{row.role} row {row.id} has no original")
        return await self.journal.get(row.parent_id)

    async def _sign(self, row: FileRow) -> FileRow:
        if row.role is not Role.ORIGINAL:
            return await self._sign_derived(row)
        seen = observe_file(row.path)
        if seen != row.observation:
            return await self._back_to_discovered(row, seen)
        fingerprint = row.fingerprint
        if fingerprint is None:
            raise JournalError(f"file {row.id} is fingerprinted but has no fingerprint")
        found = await asyncio.to_thread(found_sidecar, row.path)
        sidecar = None if found is None else found.sidecar
        urgent = urgency(sidecar) is not None
        if urgent != row.urgent:
            await self.journal.mark(row, urgent=int(urgent))
        modified_at = datetime.fromtimestamp(seen.mtime_ns / 1e9, UTC)
        extras = await extras_for(self.context, row.path, found, fingerprint.sha256, modified_at)
        return await self.journal.sign(
            row,
            str(self.signer.device_id),
            self.clock(),
            lambda sequence, previous: build_original(
                evidence_id=row.evidence_id,
                file_name=row.path.name,
                fingerprint=fingerprint,
                sidecar=sidecar,
                defaults=self.config.defaults,
                modified_at=modified_at,
                rule=self.rule,
                signer=self.signer,
                sequence=sequence,
                previous=previous,
                media=row.media,
                extras=extras,
            ),
        )

    async def _sign_derived(self, row: FileRow) -> FileRow:
        original = (await self._original_of(row)).signed(self.rule).manifest
        fingerprint = row.fingerprint
        if fingerprint is None:
            raise JournalError(f"file {row.id} is fingerprinted but has no fingerprint")
        profile = self.derivation.profile
        software = f"{SOFTWARE} {profile.name}" if row.role is Role.PROXY and profile else SOFTWARE
        return await self.journal.sign(
            row,
            str(self.signer.device_id),
            self.clock(),
            lambda sequence, previous: build_derived(
                original=original,
                role=row.role,
                file_name=row.path.name,
                fingerprint=fingerprint,
                media=row.media,
                perceptual=row.perceptual,
                software=software,
                signer=self.signer,
                sequence=sequence,
                previous=previous,
            ),
        )

    async def _upload(self, row: FileRow) -> FileRow:
        if row.state is FileState.REGISTERED:
            row = await self.journal.move(row, FileState.UPLOADING, self.clock())
        current = row
        manifest = row.signed(self.rule).manifest
        report = WorkReport(self.journal, row, Meter("upload", manifest.size), self.clock)

        async def remember(url: str) -> None:
            await self.journal.set_upload_url(current, url)

        async def progress(done: int, committed: bool) -> None:
            await report.update(done, upload_offset=done if committed else None)

        chunks = self.config.patch_chunks
        await upload_file(
            self.tus, row.path, manifest, row.upload_url, remember, progress, patch_chunks=chunks
        )
        return await self.journal.move(
            row, FileState.UPLOADED, self.clock(), upload_offset=manifest.size
        )

    async def _finalize(self, row: FileRow) -> FileRow:
        signed = row.signed(self.rule)
        receipt = await self.api.finalize(row.evidence_id, row.role)
        try:
            receipt.verify(self.server_key)
        except BadSignature:
            raise ReceiptMismatch(
                "the receipt does not verify under the pinned server key"
            ) from None
        receipt.check_covers(signed)
        failpoints.hit(failpoints.AFTER_FINALIZE)
        log.info("%s receipted: sha256=%s", row.path.name, signed.manifest.sha256)
        return await self.journal.move(
            row,
            FileState.RECEIPTED,
            self.clock(),
            receipt=receipt.body,
            receipt_signature=receipt.signature,
        )
