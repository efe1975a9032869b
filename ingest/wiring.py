"""Every service built once, from the books, the server key, the case number rule, the
clock and the configuration; each service gets only what it uses. The HTTP application
serves a ``Services`` record; a command on the server host builds the one service it
needs from the books it opened (``liuhen/server_host.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from evidence.keys import Ed25519PrivateKey, key_id
from ingest.access.case_gate import CaseGate
from ingest.access.device_sign_in import DeviceSignIn
from ingest.access.passwords import PasswordCost, Passwords
from ingest.access.people import People, SessionRules
from ingest.access.throttle import SignInThrottle
from ingest.access.user_admin import UserAdmin
from ingest.compliance.desk import ComplianceDesk
from ingest.custody.flags import FlagDesk
from ingest.custody.recordings import Recordings
from ingest.custody.registration import Registrar
from ingest.custody.unmade_copies import UnmadeCopies
from ingest.custody.verification import Verifier
from ingest.custody_log.checkpoints import Checkpointer
from ingest.custody_log.identity import LogIdentity
from ingest.custody_log.proofs import LogProofs
from ingest.custody_log.published_keys import KeyDirectory
from ingest.custody_wiring import (
    Keepers,
    access_audit,
    checkpointer,
    exporter,
    fixity_audit,
    importer,
    keepers,
    retrieval,
    verifier,
)
from ingest.fixity.audit import FixityAudit
from ingest.fleet.room_sessions import RoomSessions
from ingest.fleet.stations import FleetDesk
from ingest.fleet_wiring import FleetRoom, fleet_desk, fleet_room, room_sessions
from ingest.locks import KeyedLocks
from ingest.media.clip_matching import ClipMatcher
from ingest.media.sessions import SessionTimelines
from ingest.media.transcripts import Transcripts
from ingest.parts import Parts
from ingest.retrieval.access_audit import AccessAudit
from ingest.retrieval.retrieval import Retrieval
from ingest.transfer.export import Exporter
from ingest.transfer.importer import Importer
from ingest.upload_wiring import UploadRoom, upload_room
from ingest.uploads.finalize import Finalizer
from ingest.uploads.session import UploadSessions
from ingest.uploads.sweeper import Sweeper

__all__ = [
    "Parts",
    "Services",
    "UploadRoom",
    "build_services",
    "case_gate",
    "clip_matcher",
    "compliance_desk",
    "flag_desk",
    "people",
    "recordings",
    "session_timelines",
    "user_admin",
    "verifier",
]


@dataclass(frozen=True)
class Services:
    server_key_id: str
    sign_in: DeviceSignIn
    people: People
    users: UserAdmin
    gate: CaseGate
    registrar: Registrar
    uploads: UploadSessions
    finalizer: Finalizer
    sweeper: Sweeper
    recordings: Recordings
    verifier: Verifier
    flags: FlagDesk
    unmade: UnmadeCopies
    sessions: SessionTimelines
    clips: ClipMatcher
    transcripts: Transcripts
    compliance: ComplianceDesk
    checkpoints: Checkpointer
    proofs: LogProofs
    keys: KeyDirectory
    retrieval: Retrieval
    accesses: AccessAudit
    fixity: FixityAudit
    exporter: Exporter
    importer: Importer
    keeping: Keepers  # legal holds and the retention report

    fleet: FleetDesk
    rooms: RoomSessions
    fleet_room: FleetRoom | None  # None unless server.mqtt.enabled


def _passwords(parts: Parts) -> Passwords:
    config = parts.config
    cost = PasswordCost(
        config.password_memory_kib, config.password_iterations, config.password_lanes
    )
    return Passwords(cost)


def people(parts: Parts, passwords: Passwords) -> People:
    config = parts.config
    throttle = SignInThrottle(
        parts.clock,
        config.sign_in_failures_per_name,
        config.sign_in_failures_per_address,
        config.sign_in_window,
    )
    rules = SessionRules(config.session_ttl, config.session_idle)
    index = parts.index
    return People(index.credentials, index.accounts, passwords, throttle, parts.clock, rules)


def user_admin(parts: Parts, passwords: Passwords | None = None) -> UserAdmin:
    index = parts.index
    return UserAdmin(
        index.credentials,
        index.accounts,
        passwords or _passwords(parts),
        parts.clock,
        parts.config.user_token_ttl,
        parts.case_rule,
    )


def case_gate(parts: Parts) -> CaseGate:
    index = parts.index
    return CaseGate(
        index.objects, index.uploads, index.compliance.cases, index.media, parts.case_rule
    )


def recordings(parts: Parts) -> Recordings:
    index = parts.index
    return Recordings(index.objects, index.flags, index.uploads, parts.case_rule)


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


def _transcripts(
    parts: Parts, key: Ed25519PrivateKey, room: UploadRoom, registrar: Registrar
) -> Transcripts:
    return Transcripts(
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


def build_services(parts: Parts, key: Ed25519PrivateKey, identity: LogIdentity) -> Services:
    """Every service, once: the HTTP application's."""
    checkpoints, locks = checkpointer(parts, identity), parts.books.locks
    keeping = keepers(parts, compliance := compliance_desk(parts))
    room = upload_room(parts, key, locks, keeping.locks.on_stored, keeping.locks.catch_up)
    registrar, passwords = _registrar(parts, locks), _passwords(parts)
    desk, rooms = fleet_desk(parts), room_sessions(parts)
    proofs = LogProofs(parts.index.log, checkpoints)
    keys = KeyDirectory(parts.index.devices, key.public_key(), identity)
    return Services(
        server_key_id=key_id(key.public_key()),
        sign_in=_sign_in(parts, key),
        people=people(parts, passwords),
        users=user_admin(parts, passwords),
        gate=case_gate(parts),
        registrar=registrar,
        uploads=room.sessions,
        finalizer=room.finalizer,
        sweeper=room.sweeper,
        recordings=recordings(parts),
        verifier=verifier(parts, key.public_key),
        flags=flag_desk(parts),
        unmade=UnmadeCopies(parts.index.objects, parts.index.flags, parts.clock),
        sessions=session_timelines(parts),
        clips=clip_matcher(parts),
        transcripts=_transcripts(parts, key, room, registrar),
        compliance=compliance,
        checkpoints=checkpoints,
        proofs=proofs,
        keys=keys,
        retrieval=retrieval(parts),
        accesses=access_audit(parts),
        fixity=fixity_audit(parts, key.public_key, identity.trust()),
        fleet=desk,
        rooms=rooms,
        fleet_room=fleet_room(parts, desk, rooms),
        exporter=exporter(parts, proofs, keys),
        importer=importer(parts),
        keeping=keeping,
    )
