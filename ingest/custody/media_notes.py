"""What the server notes from a manifest's media sections when it is registered: an
original that cannot be played, a room session's segment, and the perceptual
fingerprints a review copy's manifest carries. Nothing is written here: the notes go
into the manifest's own transaction (``ingest.custody.registration``)."""

from __future__ import annotations

from datetime import datetime

from evidence.identifiers import Role
from evidence.manifest import Manifest
from ingest.custody.flags import FlagKind, new_flag
from storage.records import Derived, NewFlag, PrintSet, SegmentRecord

__all__ = ["media_notes"]


def media_notes(manifest: Manifest, now: datetime) -> Derived:
    media = manifest.media
    flags: tuple[NewFlag, ...] = ()
    if manifest.role is Role.ORIGINAL and media is not None and not media.decodable:
        flags = (
            new_flag(
                FlagKind.UNDECODABLE,
                str(manifest.evidence_id),
                {"problem": media.problem, "file_name": manifest.file_name},
                now,
                device_id=manifest.device_id,
                evidence_id=manifest.evidence_id,
                role=manifest.role,
            ),
        )
    segment = None
    if manifest.session is not None:
        segment = SegmentRecord(
            evidence_id=manifest.evidence_id,
            session_id=manifest.session.session_id,
            index=manifest.session.index,
            device_id=manifest.device_id,
            started_at=manifest.capture.started_at,
            ended_at=manifest.capture_end(),
            registered_at=now,
        )
    prints: tuple[PrintSet, ...] = ()
    if manifest.perceptual is not None:
        prints = (
            PrintSet(manifest.evidence_id, Role.ORIGINAL, manifest.perceptual.original),
            PrintSet(manifest.evidence_id, manifest.role, manifest.perceptual.derived),
        )
    return Derived(segment=segment, prints=prints, flags=flags)
