"""Test data: signed manifests for arbitrary bytes, built the way the agent builds them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from evidence.case_number import CaseNumberRule
from evidence.digest import CHUNK_SIZE, Sha256, StreamingFingerprint
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.keys import Ed25519PrivateKey, key_id
from evidence.manifest import (
    Capture,
    DerivedFrom,
    Manifest,
    Officer,
    Origin,
    SignedManifest,
    TimeSource,
    content_of,
)
from evidence.manifest_media import MediaFacts

CHINA = timezone(timedelta(hours=8))
CASE = "冀石执罚〔2026〕第0012号"
STARTED_AT = datetime(2026, 3, 12, 9, 30, 15, tzinfo=CHINA)
ENDED_AT = datetime(2026, 3, 12, 9, 41, 2, tzinfo=CHINA)


def media_lasting(seconds: float | None) -> MediaFacts | None:
    """What the agent's probe says of a playable clip this long (None: no media section,
    as for footage whose length could not be measured)."""
    if seconds is None:
        return None
    return MediaFacts(
        container="mov,mp4,m4a,3gp,3g2,mj2",
        duration_ms=round(seconds * 1000),
        creation_time=None,
        has_video=True,
        has_audio=True,
        decodable=True,
        problem=None,
    )


def manifest_for(
    data: bytes,
    device_id: str,
    key: Ed25519PrivateKey,
    *,
    sequence: int = 1,
    previous: Sha256 | None = None,
    chunk_size: int = CHUNK_SIZE,
    case_number: str | None = CASE,
    evidence_id: EvidenceId | None = None,
    role: Role = Role.ORIGINAL,
    derived_from: DerivedFrom | None = None,
    file_name: str = "clip.mp4",
    **changes: Any,
) -> Manifest:
    fingerprint = StreamingFingerprint(chunk_size)
    fingerprint.update(data)
    facts = fingerprint.finish()
    manifest = Manifest(
        evidence_id=evidence_id or EvidenceId.new(),
        role=role,
        case_number=None if case_number is None else CaseNumberRule().parse(case_number),
        capture=Capture(
            started_at=STARTED_AT,
            ended_at=ENDED_AT,
            time_source=TimeSource.SIDECAR,
            place="石家庄市长安区中山东路12号",
            captured_by=Officer("130102001", "张伟"),
            proves="查封现场物品清点过程",
        ),
        origin=Origin("DSJ-V9", "BWC-00042", "liuhen-agent/test"),
        device_id=DeviceId(device_id),
        key_id=key_id(key.public_key()),
        file_name=file_name,
        **content_of(facts),
        media_type="video/mp4",
        sequence=sequence,
        previous=previous,
        created_at=datetime(2026, 3, 12, 2, 0, 0, tzinfo=UTC),
        derived_from=derived_from,
        # as long as the capture claims: coverage comes from the probed length
        media=media_lasting((ENDED_AT - STARTED_AT).total_seconds()),
    )
    return dataclasses.replace(manifest, **changes)


def signed_for(
    data: bytes, device_id: str, key: Ed25519PrivateKey, **options: Any
) -> SignedManifest:
    return SignedManifest.create(manifest_for(data, device_id, key, **options), key)
