"""Every service built once, from the books, the server key, the case number rule, the
clock and the configuration; each service gets only what it uses. The HTTP application
serves a ``Services`` record; a command on the server host builds the one service it
needs from the books it opened (``liuhen/server_host.py``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from evidence.case_number import CaseNumberRule
from evidence.keys import Ed25519PrivateKey, Ed25519PublicKey, key_id
from ingest.access.device_sign_in import DeviceSignIn
from ingest.access.people import People
from ingest.books import Books
from ingest.clock import Clock
from ingest.compliance.config import ComplianceConfig
from ingest.compliance.desk import ComplianceDesk
from ingest.custody.flags import FlagDesk
from ingest.custody.recordings import Recordings
from ingest.custody.registration import Registrar
from ingest.custody.verification import Verifier
from ingest.fleet.inbox import FleetInbox
from ingest.fleet.link import FleetLink, read_password
from ingest.fleet.room_sessions import RoomSessions
from ingest.fleet.stations import FleetDesk, StationBook
from ingest.fleet.watch import FleetWatch
from ingest.locks import InProcessLocks, KeyedLocks
from ingest.media.clip_matching import ClipMatcher
from ingest.media.sessions import SessionTimelines
from ingest.media.transcripts import Transcripts
from ingest.server_config import IngestConfig
from ingest.uploads.area import UploadArea
from ingest.uploads.finalize import Finalizer, FinalizeRules
from ingest.uploads.open_uploads import OpenUploads
from ingest.uploads.quotas import UploadLimits
from ingest.uploads.session import UploadSessions
from ingest.uploads.sweeper import Sweeper
from ingest.uploads.transitions import Transitions
from storage.interfaces import Index

__all__ = [
    "FleetRoom",
    "Parts",
    "Services",
    "UploadRoom",
    "build_services",
    "clip_matcher",
    "compliance_desk",
    "flag_desk",
    "fleet_desk",
    "recordings",
    "room_sessions",
    "session_timelines",
    "verifier",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parts:
    """What services are built from, besides the server key."""

    books: Books
    case_rule: CaseNumberRule
    clock: Clock
    compliance: ComplianceConfig

    @property
    def config(self) -> IngestConfig:
        return self.books.config

    @property
    def index(self) -> Index:
        return self.books.index


@dataclass(frozen=True)
class UploadRoom:
    """The upload services, which share the upload area, the locks and the open uploads."""

    sessions: UploadSessions
    finalizer: Finalizer
    sweeper: Sweeper


@dataclass(frozen=True)
class FleetRoom:
    """The subscription and its watch: what runs only with ``server.mqtt.enabled``."""

    link: FleetLink
    watch: FleetWatch


@dataclass(frozen=True)
class Services:
    server_key_id: str
    sign_in: DeviceSignIn
    people: People
    registrar: Registrar
    uploads: UploadSessions
    finalizer: Finalizer
    sweeper: Sweeper
    recordings: Recordings
    verifier: Verifier
    flags: FlagDesk
    sessions: SessionTimelines
    clips: ClipMatcher
    transcripts: Transcripts
    compliance: ComplianceDesk
    fleet: FleetDesk
    rooms: RoomSessions
    fleet_room: FleetRoom | None  # None unless server.mqtt.enabled


def recordings(parts: Parts) -> Recordings:
    index = parts.index
    return Recordings(index.objects, index.flags, index.uploads, parts.case_rule)


def verifier(parts: Parts, server_key: Callable[[], Ed25519PublicKey]) -> Verifier:
    index = parts.index
    return Verifier(
        index.objects,
        index.uploads,
        index.devices,
        parts.books.store,
        server_key,
        parts.case_rule,
        parts.clock,
    )


def flag_desk(parts: Parts) -> FlagDesk:
    return FlagDesk(parts.index.flags, parts.clock)


def session_timelines(parts: Parts) -> SessionTimelines:
    tolerance = parts.config.session_gap_tolerance_seconds
    return SessionTimelines(parts.index.media, parts.index.objects, tolerance)


def clip_matcher(parts: Parts) -> ClipMatcher:
    config = parts.config
    return ClipMatcher(
        parts.index.objects, parts.index.media, config.data_dir / "tmp", config.max_clip_bytes
    )


def compliance_desk(parts: Parts) -> ComplianceDesk:
    return ComplianceDesk(parts.index.compliance, parts.case_rule, parts.clock, parts.compliance)


def fleet_desk(parts: Parts) -> FleetDesk:
    silent_after = parts.config.mqtt.silent_after_seconds
    return FleetDesk(parts.index.fleet, parts.index.devices, parts.clock, silent_after)


def room_sessions(parts: Parts) -> RoomSessions:
    config = parts.config
    return RoomSessions(
        parts.index.rooms,
        parts.clock,
        config.session_gap_tolerance_seconds,
        config.mqtt.session_grace_seconds,
    )


def _fleet_room(parts: Parts, desk: FleetDesk, rooms: RoomSessions) -> FleetRoom | None:
    mqtt = parts.config.mqtt
    if not mqtt.enabled:
        return None
    inbox = FleetInbox(mqtt.prefix, StationBook(parts.index.fleet, parts.clock), rooms)
    watch = FleetWatch(
        desk,
        rooms,
        parts.index.flags,
        parts.clock,
        mqtt.silent_flag_seconds,
        mqtt.watch_seconds,
        mqtt.keep_events_days,
    )
    return FleetRoom(FleetLink(mqtt, read_password(mqtt.password_file), inbox), watch)


def _sign_in(parts: Parts, key: Ed25519PrivateKey) -> DeviceSignIn:
    config = parts.config
    return DeviceSignIn(
        parts.index.credentials,
        parts.index.devices,
        key,
        parts.clock,
        timedelta(seconds=config.challenge_ttl_seconds),
        timedelta(seconds=config.device_token_ttl_seconds),
    )


def _registrar(parts: Parts, locks: KeyedLocks) -> Registrar:
    config = parts.config
    return Registrar(
        parts.index.uploads,
        parts.index.devices,
        locks,
        parts.case_rule,
        parts.clock,
        config.upload_size_limit,
        config.max_manifest_bytes,
    )


def _upload_room(parts: Parts, key: Ed25519PrivateKey, locks: KeyedLocks) -> UploadRoom:
    config, index, clock = parts.config, parts.index, parts.clock
    area = UploadArea(config.uploads_dir)
    open_uploads = OpenUploads(index.uploads, area, parts.case_rule)
    transitions = Transitions(index.uploads, index.objects, area, open_uploads)
    limits = UploadLimits(
        config.upload_size_limit,
        config.max_open_uploads_per_device,
        config.max_reserved_bytes_per_device,
        timedelta(seconds=config.upload_expiry_seconds),
    )
    compliance = parts.compliance
    rules = FinalizeRules(
        compliance.late_upload_hours,
        compliance.claim_tolerance_seconds,
        compliance.clock_drift_flag_seconds,
    )
    return UploadRoom(
        UploadSessions(index.uploads, area, locks, open_uploads, transitions, clock, limits),
        Finalizer(
            index.uploads,
            parts.books.store,
            area,
            locks,
            open_uploads,
            transitions,
            key,
            clock,
            rules,
        ),
        Sweeper(index.uploads, locks, transitions, clock, config.sweep_interval_seconds),
    )


def build_services(parts: Parts, key: Ed25519PrivateKey) -> Services:
    """Every service, once: the HTTP application's, or a command's that signs."""
    locks = InProcessLocks()
    room = _upload_room(parts, key, locks)
    registrar = _registrar(parts, locks)
    transcripts = Transcripts(
        parts.index.uploads,
        parts.index.objects,
        parts.index.devices,
        registrar,
        room.sessions,
        room.finalizer,
        key,
        parts.case_rule,
        parts.clock,
        parts.config.max_transcript_bytes,
    )
    desk, rooms = fleet_desk(parts), room_sessions(parts)
    return Services(
        server_key_id=key_id(key.public_key()),
        sign_in=_sign_in(parts, key),
        people=People(parts.index.credentials, parts.clock),
        registrar=registrar,
        uploads=room.sessions,
        finalizer=room.finalizer,
        sweeper=room.sweeper,
        recordings=recordings(parts),
        verifier=verifier(parts, key.public_key),
        flags=flag_desk(parts),
        sessions=session_timelines(parts),
        clips=clip_matcher(parts),
        transcripts=transcripts,
        compliance=compliance_desk(parts),
        fleet=desk,
        rooms=rooms,
        fleet_room=_fleet_room(parts, desk, rooms),
    )
