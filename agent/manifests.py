"""Build an original's manifest from its fingerprint, its sidecar and the agent's defaults.

The sidecar wins over the defaults field by field. Device times are claims: the manifest
says whether the start time came from the sidecar or, lacking one, the file's mtime.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from agent.capture_context import Extras
from agent.config import CaptureDefaults
from devices.sidecar import Sidecar
from evidence.case_number import CaseNumber, CaseNumberRule
from evidence.digest import Fingerprint, Sha256
from evidence.errors import InvalidCaseNumber
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
from evidence.manifest_media import MediaFacts, Perceptual, Session

__all__ = ["SOFTWARE", "Signer", "build_derived", "build_original"]

log = logging.getLogger(__name__)


def _software() -> str:
    try:
        return f"liuhen-agent/{version('liuhen')}"
    except PackageNotFoundError:
        return "liuhen-agent/unknown"


SOFTWARE = _software()


@dataclass(frozen=True)
class Signer:
    device_id: DeviceId
    key: Ed25519PrivateKey

    @property
    def key_id(self) -> str:
        return key_id(self.key.public_key())


def _case_number(text: str | None, rule: CaseNumberRule, file_name: str) -> CaseNumber | None:
    if text is None:
        return None
    try:
        return rule.parse(text)
    except InvalidCaseNumber:
        # Footage is never held back for bad metadata: sign it without a case number,
        # and the server flags it for a custodian to attach to its case.
        log.warning("%s: case number %r breaks the rule; signing without one", file_name, text)
        return None


def _capture(sidecar: Sidecar, defaults: CaptureDefaults, modified_at: datetime) -> Capture:
    officer_id = sidecar.officer_id or defaults.officer_id
    officer = (
        None
        if officer_id is None
        else Officer(officer_id, sidecar.officer_name or defaults.officer_name)
    )
    started_at, source = (
        (sidecar.started_at, TimeSource.SIDECAR)
        if sidecar.started_at
        else (modified_at, TimeSource.FILE_MTIME)
    )
    ended_at = sidecar.ended_at if sidecar.ended_at and sidecar.ended_at >= started_at else None
    return Capture(
        started_at=started_at,
        ended_at=ended_at,
        time_source=source,
        place=sidecar.place or defaults.place,
        captured_by=officer,
        proves=sidecar.proves or defaults.proves,
    )


def _session(sidecar: Sidecar, extras: Extras) -> Session | None:
    """A session the sidecar names wins over one the agent bound."""
    if sidecar.session_id is not None and sidecar.segment is not None:
        return Session(sidecar.session_id, sidecar.segment)
    return extras.session


def build_original(
    *,
    evidence_id: EvidenceId,
    file_name: str,
    fingerprint: Fingerprint,
    sidecar: Sidecar | None,
    defaults: CaptureDefaults,
    modified_at: datetime,
    rule: CaseNumberRule,
    signer: Signer,
    sequence: int,
    previous: Sha256 | None,
    media: MediaFacts | None = None,
    extras: Extras | None = None,
) -> SignedManifest:
    """``extras``: the dock's clock, the camera's claims and a room session bound by the
    agent (agent/capture_context.py)."""
    sidecar = sidecar or Sidecar()
    extras = extras or Extras()
    manifest = Manifest(
        evidence_id=evidence_id,
        role=Role.ORIGINAL,
        case_number=_case_number(sidecar.case_number or defaults.case_number, rule, file_name),
        capture=_capture(sidecar, defaults, modified_at),
        origin=Origin(
            device_model=sidecar.device_model or defaults.device_model,
            device_serial=sidecar.device_serial or defaults.device_serial,
            software=SOFTWARE,
        ),
        device_id=signer.device_id,
        key_id=signer.key_id,
        file_name=file_name,
        **content_of(fingerprint),
        media_type=mimetypes.guess_type(file_name)[0],
        sequence=sequence,
        previous=previous,
        created_at=datetime.now(UTC),
        media=media,
        session=_session(sidecar, extras),
        clock=extras.clock,
        camera=extras.camera,
    )
    return SignedManifest.create(manifest, signer.key)


def build_derived(
    *,
    original: Manifest,
    role: Role,
    file_name: str,
    fingerprint: Fingerprint,
    media: MediaFacts | None,
    perceptual: Perceptual | None,
    software: str,
    signer: Signer,
    sequence: int,
    previous: Sha256 | None,
) -> SignedManifest:
    """A derived copy's manifest: the original's capture facts, its own bytes, and a link
    to the original by hash."""
    media_type = "video/mp4" if role is Role.PROXY else mimetypes.guess_type(file_name)[0]
    if media is not None and not media.has_video and role is Role.PROXY:
        media_type = "audio/mp4"
    manifest = replace(
        original,
        role=role,
        origin=replace(original.origin, software=software),
        key_id=signer.key_id,
        device_id=signer.device_id,
        file_name=file_name,
        **content_of(fingerprint),
        media_type=media_type,
        sequence=sequence,
        previous=previous,
        created_at=datetime.now(UTC),
        derived_from=DerivedFrom(original.evidence_id, Role.ORIGINAL, original.sha256),
        media=media,
        session=None,
        perceptual=perceptual,
        camera=None,  # the camera's claims are about the original's bytes
    )
    return SignedManifest.create(manifest, signer.key)
