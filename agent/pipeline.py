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

from agent import failpoints
from agent.capture_context import CaptureContext
from agent.config import AgentConfig
from agent.derivation import Derivation
from agent.dock_file import back_to_discovered, fingerprint_file, observe_file
from agent.gone import file_gone
from agent.journal import FileRow, Journal
from agent.manifests import Signer
from agent.media.probe import probe
from agent.progress import Meter
from agent.server_api import ServerApi
from agent.setbacks import Setbacks
from agent.signing_step import Signing, original_of
from agent.states import TERMINAL, FileState, allowed
from agent.throttle import Throttle
from agent.tus_client import TusClient
from agent.unmade import report_unmade
from agent.uploader import upload_file
from agent.work_report import WorkReport
from evidence.case_number import CaseNumberRule
from evidence.errors import (
    BadSignature,
    LiuhenError,
    ManifestNotRegistered,
    ReceiptMismatch,
    UploadIncomplete,
)
from evidence.identifiers import Role
from evidence.keys import Ed25519PublicKey

__all__ = ["Pipeline", "observe_file"]

log = logging.getLogger(__name__)


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
        self.signing = Signing(
            self.config,
            self.journal,
            self.signer,
            self.rule,
            self.derivation,
            self.clock,
            self.context,
        )

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
                return await self.signing.sign(row)
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

    async def _fingerprint(self, row: FileRow) -> FileRow:
        before = observe_file(row.path)
        if before != row.observation:
            return await back_to_discovered(self.journal, row, before, self.clock)
        fingerprint, media = await asyncio.gather(  # both only read: side by side
            asyncio.to_thread(fingerprint_file, row.path), asyncio.to_thread(probe, row.path)
        )
        after = observe_file(row.path)
        if after != before or fingerprint.size != after.size:
            return await back_to_discovered(self.journal, row, after, self.clock)
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
        original = await original_of(self.journal, row)
        made = await self.derivation.make(row, original)
        fingerprint = await asyncio.to_thread(fingerprint_file, row.path)
        seen = observe_file(row.path)
        return await self.journal.record_fingerprint(
            row, fingerprint, seen, self.clock(), media=made.media, perceptual=made.perceptual
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
