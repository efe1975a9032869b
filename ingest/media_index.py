"""What the server notes from a manifest's media sections when it is registered: an
original that cannot be played, a room session's segment, and the perceptual
fingerprints a review copy's manifest carries."""

from __future__ import annotations

from evidence.identifiers import Role
from evidence.manifest import Manifest
from ingest.context import ServerContext
from ingest.flags import FlagKind, raise_flag
from storage.records import SegmentRecord

__all__ = ["note_media"]


async def note_media(ctx: ServerContext, manifest: Manifest) -> None:
    media = manifest.media
    if manifest.role is Role.ORIGINAL and media is not None and not media.decodable:
        await raise_flag(
            ctx,
            FlagKind.UNDECODABLE,
            str(manifest.evidence_id),
            {"problem": media.problem, "file_name": manifest.file_name},
            device_id=manifest.device_id,
            evidence_id=manifest.evidence_id,
            role=manifest.role,
        )
    if manifest.session is not None:
        await ctx.index.media.add_segment(
            SegmentRecord(
                evidence_id=manifest.evidence_id,
                session_id=manifest.session.session_id,
                index=manifest.session.index,
                device_id=manifest.device_id,
                started_at=manifest.capture.started_at,
                ended_at=manifest.capture_end(),
                registered_at=ctx.clock(),
            )
        )
    if manifest.perceptual is not None:
        await ctx.index.media.add_prints(
            manifest.evidence_id, Role.ORIGINAL, manifest.perceptual.original
        )
        await ctx.index.media.add_prints(
            manifest.evidence_id, manifest.role, manifest.perceptual.derived
        )
