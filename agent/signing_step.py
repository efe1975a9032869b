"""The pipeline's signing step: a fingerprinted file becomes a signed manifest in the
journal. An original is signed with its sidecar, capture context and case number (and
goes back to ``discovered`` if it changed since it was fingerprinted); a copy (proxy,
review) is signed against its original's manifest."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from agent.capture_context import CaptureContext, extras_for
from agent.config import AgentConfig
from agent.derivation import Derivation
from agent.dock_file import back_to_discovered, found_sidecar, observe_file
from agent.journal import FileRow, Journal
from agent.manifests import SOFTWARE, Signer, build_derived, build_original
from agent.priority import urgency
from evidence.case_number import CaseNumberRule
from evidence.digest import Fingerprint
from evidence.errors import JournalError
from evidence.identifiers import Role

__all__ = ["Signing", "original_of"]


async def original_of(journal: Journal, row: FileRow) -> FileRow:
    """The original a copy was made from."""
    if row.parent_id is None:
        raise JournalError(f"{row.role} row {row.id} has no original")
    return await journal.get(row.parent_id)


def _fingerprint_of(row: FileRow) -> Fingerprint:
    if row.fingerprint is None:
        raise JournalError(f"file {row.id} is fingerprinted but has no fingerprint")
    return row.fingerprint


@dataclass
class Signing:
    config: AgentConfig
    journal: Journal
    signer: Signer
    rule: CaseNumberRule
    derivation: Derivation
    clock: Callable[[], float]
    context: CaptureContext | None

    async def sign(self, row: FileRow) -> FileRow:
        if row.role is not Role.ORIGINAL:
            return await self._sign_derived(row)
        seen = observe_file(row.path)
        if seen != row.observation:
            return await back_to_discovered(self.journal, row, seen, self.clock)
        fingerprint = _fingerprint_of(row)
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
        original = (await original_of(self.journal, row)).signed(self.rule).manifest
        fingerprint = _fingerprint_of(row)
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
