"""Manifest v1: what a device attests about one object (an original or a derived copy).

The manifest is canonical JSON (see ``strict_json``), signed as exact bytes with a detached
Ed25519 signature over ``PAE(PayloadType.MANIFEST, bytes)``. The normative description, with
an example, is docs/manifest.md; ``Manifest.parse`` is its executable form and refuses
anything that document does not allow.

The ranges of numbers and times are an admission rule: ``parse`` checks them when a
manifest arrives; ``read_stored`` reads one the server or agent already accepted (its
signature checked then), as the reader of that time did, so a range added later never
makes stored evidence unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidence.case_number import CaseNumber, CaseNumberRule
from evidence.digest import Fingerprint, Sha256, chunk_count, chunk_root
from evidence.errors import MalformedManifest
from evidence.footage_span import FootageSpan
from evidence.identifiers import DeviceId, EvidenceId, Role, safe_file_name
from evidence.keys import Ed25519PrivateKey, Ed25519PublicKey
from evidence.manifest_dock import CameraClaims, CameraClock, read_camera, read_clock
from evidence.manifest_media import (
    MediaFacts,
    Perceptual,
    Session,
    read_media,
    read_perceptual,
    read_session,
)
from evidence.ranges import INT64_MAX
from evidence.signing import PayloadType, sign, verify
from evidence.strict_json import Fields, canonical_bytes, format_time, loads_object

__all__ = [
    "MANIFEST_TYPE",
    "MANIFEST_VERSION",
    "MAX_FILE_SIZE",
    "MAX_SEQUENCE",
    "Capture",
    "DerivedFrom",
    "Manifest",
    "Officer",
    "Origin",
    "SignedManifest",
    "TimeSource",
    "content_of",
]

MANIFEST_TYPE = "liuhen.manifest"
MANIFEST_VERSION = 1
MIN_CHUNK_SIZE = 64 * 1024
MAX_CHUNK_SIZE = 64 * 1024 * 1024
MAX_SEQUENCE = INT64_MAX  # chain.sequence runs 1..2^63-1
MAX_FILE_SIZE = INT64_MAX  # the server's own limit (max_upload_bytes) is far lower


class TimeSource:
    """Where the capture times came from. Device clocks are claims, recorded as such."""

    SIDECAR = "sidecar"
    FILE_MTIME = "file_mtime"
    ALL = (SIDECAR, FILE_MTIME)


@dataclass(frozen=True, slots=True)
class Officer:
    officer_id: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Capture:
    """R4's fields: when, where, by whom, and what the record proves (证明对象)."""

    started_at: datetime
    ended_at: datetime | None
    time_source: str
    place: str | None
    captured_by: Officer | None
    proves: str | None


@dataclass(frozen=True, slots=True)
class Origin:
    """How the record was made (R5 制作方法): the capture device and the signing software."""

    device_model: str | None
    device_serial: str | None
    software: str


@dataclass(frozen=True, slots=True)
class DerivedFrom:
    """For a derived object: the original it was made from, named by hash."""

    evidence_id: EvidenceId
    role: Role
    sha256: Sha256


@dataclass(frozen=True, slots=True)
class Manifest:
    evidence_id: EvidenceId
    role: Role
    case_number: CaseNumber | None
    capture: Capture
    origin: Origin
    device_id: DeviceId
    key_id: str
    file_name: str
    size: int
    sha256: Sha256
    media_type: str | None
    chunk_size: int
    chunks: tuple[Sha256, ...]
    root: Sha256
    sequence: int
    previous: Sha256 | None
    created_at: datetime
    derived_from: DerivedFrom | None = None
    media: MediaFacts | None = None
    session: Session | None = None
    perceptual: Perceptual | None = None
    clock: CameraClock | None = None  # omitted from the document when None
    camera: CameraClaims | None = None  # likewise

    def footage(self) -> FootageSpan:
        """What the recording covers (its signed start plus its probed length) and what is
        claimed about it (evidence/footage_span.py)."""
        return FootageSpan.of(self.capture.started_at, self.capture.ended_at, self.media)

    def capture_end(self) -> datetime | None:
        """When capture ended, as the footage measures it: its start plus the probed
        duration; None when the length could not be measured. The device's own claim is
        ``capture.ended_at``, kept and compared, never used as coverage."""
        return self.footage().ended_at

    def to_document(self) -> dict[str, Any]:
        document = self._core_document()
        if self.clock is not None:
            document["clock"] = self.clock.to_document()
        if self.camera is not None:
            document["camera"] = self.camera.to_document()
        return document

    def _core_document(self) -> dict[str, Any]:
        capture = self.capture
        officer = capture.captured_by
        return {
            "type": MANIFEST_TYPE,
            "version": MANIFEST_VERSION,
            "evidence_id": str(self.evidence_id),
            "role": self.role.value,
            "case_number": None if self.case_number is None else str(self.case_number),
            "capture": {
                "started_at": format_time(capture.started_at),
                "ended_at": None if capture.ended_at is None else format_time(capture.ended_at),
                "time_source": capture.time_source,
                "place": capture.place,
                "captured_by": None
                if officer is None
                else {"officer_id": officer.officer_id, "name": officer.name},
                "proves": capture.proves,
            },
            "origin": {
                "device_model": self.origin.device_model,
                "device_serial": self.origin.device_serial,
                "software": self.origin.software,
            },
            "signer": {"device_id": str(self.device_id), "key_id": self.key_id},
            "file": {
                "name": self.file_name,
                "size": self.size,
                "sha256": self.sha256.hex,
                "media_type": self.media_type,
            },
            "chunks": {
                "size": self.chunk_size,
                "root": self.root.hex,
                "sha256": [chunk.hex for chunk in self.chunks],
            },
            "chain": {
                "sequence": self.sequence,
                "previous_manifest_sha256": None if self.previous is None else self.previous.hex,
            },
            "derived_from": None
            if self.derived_from is None
            else {
                "evidence_id": str(self.derived_from.evidence_id),
                "role": self.derived_from.role.value,
                "sha256": self.derived_from.sha256.hex,
            },
            "created_at": format_time(self.created_at),
            "media": None if self.media is None else self.media.to_document(),
            "session": None if self.session is None else self.session.to_document(),
            "perceptual": None if self.perceptual is None else self.perceptual.to_document(),
        }

    def to_bytes(self) -> bytes:
        return canonical_bytes(self.to_document())

    @classmethod
    def parse(cls, body: bytes, rule: CaseNumberRule) -> Manifest:
        """A manifest arriving: every rule, ranges included."""
        return _ManifestReader(rule).read(loads_object(body, MalformedManifest, "manifest"))

    @classmethod
    def read_stored(cls, body: bytes, rule: CaseNumberRule) -> Manifest:
        """A manifest accepted before: every rule but the ranges."""
        document = loads_object(body, MalformedManifest, "manifest")
        return _ManifestReader(rule, ranges=False).read(document)


class _ManifestReader:
    def __init__(self, rule: CaseNumberRule, *, ranges: bool = True) -> None:
        self.rule = rule
        self.ranges = ranges

    def read(self, document: dict[str, Any]) -> Manifest:
        top = Fields(document, MalformedManifest, ranges=self.ranges)
        top.constant("type", MANIFEST_TYPE)
        top.constant("version", MANIFEST_VERSION)
        evidence_id = top.convert("evidence_id", top.text("evidence_id"), EvidenceId)
        role = top.convert("role", top.text("role"), Role.parse)
        case_text = top.optional_text("case_number", max_length=64)
        case_number = (
            None if case_text is None else top.convert("case_number", case_text, self.rule.parse)
        )
        capture = self._capture(top.section("capture"))
        origin = self._origin(top.section("origin"))
        signer = top.section("signer")
        device_id = signer.convert("device_id", signer.text("device_id"), DeviceId)
        key_id = signer.convert("key_id", signer.text("key_id", max_length=64), _key_id)
        signer.done()
        file = top.section("file")
        file_name = file.convert("name", file.text("name", max_length=255), safe_file_name)
        size = file.integer("size", maximum=MAX_FILE_SIZE)
        sha256 = file.convert("sha256", file.text("sha256", max_length=64), Sha256)
        media_type = file.optional_text("media_type", max_length=128)
        file.done()
        chunk_size, chunks, root = self._chunks(top.section("chunks"), size)
        sequence, previous = self._chain(top.section("chain"))
        derived_from = self._derived_from(top.optional_section("derived_from"), role)
        created_at = top.time("created_at")
        media = read_media(top.optional_section("media"))
        session = read_session(top.optional_section("session"))
        perceptual = read_perceptual(top.optional_section("perceptual"))
        if perceptual is not None and role is Role.ORIGINAL:
            raise MalformedManifest("perceptual fingerprints belong in a derived copy's manifest")
        clock = read_clock(top.omissible_section("clock"))
        camera = read_camera(top.omissible_section("camera"))
        if camera is not None and role is not Role.ORIGINAL:
            raise MalformedManifest("camera claims belong in an original's manifest")
        top.done()
        return Manifest(
            evidence_id=evidence_id,
            role=role,
            case_number=case_number,
            capture=capture,
            origin=origin,
            device_id=device_id,
            key_id=key_id,
            file_name=file_name,
            size=size,
            sha256=sha256,
            media_type=media_type,
            chunk_size=chunk_size,
            chunks=chunks,
            root=root,
            sequence=sequence,
            previous=previous,
            created_at=created_at,
            derived_from=derived_from,
            media=media,
            session=session,
            perceptual=perceptual,
            clock=clock,
            camera=camera,
        )

    @staticmethod
    def _capture(fields: Fields) -> Capture:
        started_at = fields.time("started_at")
        ended_at = fields.optional_time("ended_at")
        if ended_at is not None and ended_at < started_at:
            raise MalformedManifest("capture.ended_at is before capture.started_at")
        time_source = fields.text("time_source", max_length=32)
        if time_source not in TimeSource.ALL:
            raise MalformedManifest(f"capture.time_source must be one of {TimeSource.ALL}")
        place = fields.optional_text("place")
        officer_fields = fields.optional_section("captured_by")
        officer = None
        if officer_fields is not None:
            officer = Officer(
                officer_id=officer_fields.text("officer_id", max_length=64),
                name=officer_fields.optional_text("name", max_length=128),
            )
            officer_fields.done()
        proves = fields.optional_text("proves")
        fields.done()
        return Capture(started_at, ended_at, time_source, place, officer, proves)

    @staticmethod
    def _origin(fields: Fields) -> Origin:
        origin = Origin(
            device_model=fields.optional_text("device_model", max_length=128),
            device_serial=fields.optional_text("device_serial", max_length=128),
            software=fields.text("software", max_length=128),
        )
        fields.done()
        return origin

    @staticmethod
    def _chunks(fields: Fields, size: int) -> tuple[int, tuple[Sha256, ...], Sha256]:
        chunk_size = fields.integer("size", minimum=MIN_CHUNK_SIZE)
        if chunk_size > MAX_CHUNK_SIZE or chunk_size & (chunk_size - 1):
            raise MalformedManifest(
                f"chunks.size must be a power of two from {MIN_CHUNK_SIZE} to {MAX_CHUNK_SIZE}"
            )
        expected = chunk_count(size, chunk_size)
        texts = fields.text_list("sha256", max_items=expected)
        if len(texts) != expected:
            raise MalformedManifest(
                f"a {size}-byte file has {expected} chunks of {chunk_size}; "
                f"the manifest lists {len(texts)}"
            )
        chunks = tuple(fields.convert("sha256", text, Sha256) for text in texts)
        root = fields.convert("root", fields.text("root", max_length=64), Sha256)
        if chunk_root(chunks) != root:
            raise MalformedManifest("chunks.root is not the RFC 6962 root of chunks.sha256")
        fields.done()
        return chunk_size, chunks, root

    @staticmethod
    def _chain(fields: Fields) -> tuple[int, Sha256 | None]:
        sequence = fields.integer("sequence", minimum=1, maximum=MAX_SEQUENCE)
        previous_text = fields.optional_text("previous_manifest_sha256", max_length=64)
        previous = (
            None
            if previous_text is None
            else fields.convert("previous_manifest_sha256", previous_text, Sha256)
        )
        if (sequence == 1) != (previous is None):
            raise MalformedManifest(
                "chain.previous_manifest_sha256 is null exactly when chain.sequence is 1"
            )
        fields.done()
        return sequence, previous

    @staticmethod
    def _derived_from(fields: Fields | None, role: Role) -> DerivedFrom | None:
        if (fields is None) != (role is Role.ORIGINAL):
            raise MalformedManifest(
                "derived_from is null for an original and set for anything else"
            )
        if fields is None:
            return None
        derived = DerivedFrom(
            evidence_id=fields.convert("evidence_id", fields.text("evidence_id"), EvidenceId),
            role=fields.convert("role", fields.text("role"), Role.parse),
            sha256=fields.convert("sha256", fields.text("sha256", max_length=64), Sha256),
        )
        fields.done()
        return derived


def content_of(fingerprint: Fingerprint) -> dict[str, Any]:
    """The manifest fields that describe the bytes themselves, from their fingerprint."""
    return {
        "size": fingerprint.size,
        "sha256": fingerprint.sha256,
        "chunk_size": fingerprint.chunk_size,
        "chunks": fingerprint.chunks,
        "root": fingerprint.root,
    }


def _key_id(text: str) -> str:
    return Sha256(text).hex  # a key id has the shape of a SHA-256


@dataclass(frozen=True, slots=True)
class SignedManifest:
    """A manifest as its exact signed bytes, the detached signature, and the parsed view."""

    body: bytes
    signature: bytes
    manifest: Manifest

    @property
    def sha256(self) -> Sha256:
        return Sha256.of(self.body)

    @classmethod
    def create(cls, manifest: Manifest, key: Ed25519PrivateKey) -> SignedManifest:
        body = manifest.to_bytes()
        return cls(body, sign(key, PayloadType.MANIFEST, body), manifest)

    @classmethod
    def parse(cls, body: bytes, signature: bytes, rule: CaseNumberRule) -> SignedManifest:
        """Parse without checking the signature: that needs the registered key."""
        return cls(body, signature, Manifest.parse(body, rule))

    @classmethod
    def read_stored(cls, body: bytes, signature: bytes, rule: CaseNumberRule) -> SignedManifest:
        """Read one accepted before, without its ranges (``Manifest.read_stored``)."""
        return cls(body, signature, Manifest.read_stored(body, rule))

    def verify(self, key: Ed25519PublicKey) -> None:
        verify(key, PayloadType.MANIFEST, self.body, self.signature)
