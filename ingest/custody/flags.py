"""Kinds of flag the server raises for a custodian, each with what to do about it; and
their resolution, once, by a person (who, when, why) or by the server itself when what a
flag waited for happens (a missing manifest arrives)."""

from __future__ import annotations

import enum
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidence.errors import MalformedBody, UnknownFlag
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.strict_json import format_time
from evidence.tlog.leaf_decisions import Decision, Subject
from evidence.tlog.leaf_parts import Actor
from ingest.access.devices import SERVER_DEVICE
from ingest.clock import Clock
from ingest.custody.log_entries import decision_entry
from ingest.free_text import check_text
from storage.interfaces import Flags
from storage.records import FlagRecord, FlagResolution, NewFlag

__all__ = [
    "SERVER",
    "FlagDesk",
    "FlagKind",
    "advice_for",
    "flag_json",
    "new_flag",
    "server_resolution",
]

log = logging.getLogger(__name__)

# Who resolved a flag the server resolved itself: its own device name.
SERVER = str(SERVER_DEVICE)


class FlagKind(enum.StrEnum):
    SEQUENCE_GAP = "sequence_gap"
    SEQUENCE_FORK = "sequence_fork"
    METADATA_INCOMPLETE = "metadata_incomplete"
    VERIFICATION_FAILED = "verification_failed"
    UNDECODABLE = "undecodable"
    LATE_UPLOAD = "late_upload"
    CLAIM_MISMATCH = "claim_mismatch"
    UNMEASURED_FOOTAGE = "unmeasured_footage"
    INDEX_TAMPERED = "index_tampered"
    LOG_TAMPERED = "log_tampered"
    CLOCK_DRIFT = "clock_drift"
    CAMERA_DIGEST_MISMATCH = "camera_digest_mismatch"
    SIDECAR_UNUSABLE = "sidecar_unusable"
    STATION_SILENT = "station_silent"
    SESSION_HOLE = "session_hole"
    SESSION_NO_FOOTAGE = "session_no_footage"
    DERIVATION_FAILED = "derivation_failed"

    @property
    def advice(self) -> str:
        return _ADVICE[self]


_ADVICE = {
    FlagKind.SEQUENCE_GAP: (
        "A manifest between two the device sent never arrived. Check the device's journal "
        "(liuhen agent status) for the missing sequence number; if the footage is lost, "
        "record why."
    ),
    FlagKind.SEQUENCE_FORK: (
        "Two manifests claim the same place in the device's chain: the device's journal was "
        "reset or its key is used elsewhere. Revoke the device and investigate."
    ),
    FlagKind.METADATA_INCOMPLETE: (
        "R4 fields are missing (case number, place, capturer or what it proves). Attach the "
        "recording to its case and complete the record."
    ),
    FlagKind.UNDECODABLE: (
        "The original cannot be played (empty, cut short, corrupt or not media). It is kept "
        "as evidence with its hash; no review copy exists. Record what happened to the device "
        "and recover what footage you can from it."
    ),
    FlagKind.VERIFICATION_FAILED: (
        "A stored object no longer matches its manifest. Do not use this copy as evidence; "
        "restore it from a replica and find out how it changed."
    ),
    FlagKind.LATE_UPLOAD: (
        "The recording reached the server more than compliance.late_upload_hours after its "
        "capture ended; the rules ask for upload at once. Find out where it was (a dock "
        "offline, a camera not docked, footage held back) and record the reason."
    ),
    FlagKind.CLAIM_MISMATCH: (
        "The times the device claims (its sidecar's end, the file's creation_time tag) "
        "disagree with what the footage measures by more than "
        "compliance.claim_tolerance_seconds; the detail has both. Coverage counts the "
        "footage's own length from its signed start, never the claim. Find out why: a "
        "camera clock or time zone set wrong, a file cut short, a sidecar written for "
        "another file; record what you found."
    ),
    FlagKind.UNMEASURED_FOOTAGE: (
        "The original's length could not be probed (empty, cut short, corrupt or not "
        "media), so it covers no time of any act: it counts as footage of an act it lies "
        "in (the act is partial, not missing), but the whole act is a gap. It is kept as "
        "evidence with its hash. Recover a playable copy from the device if you can and "
        "upload it; if the act was recorded but the footage is lost, a supervisor records "
        "an exemption for the act with its reason and approver, naming this recording in "
        "the note, and resolves this flag with what was found."
    ),
    FlagKind.INDEX_TAMPERED: (
        "An append-only trigger of the index was missing when the server opened it: "
        "someone dropped it, so the rows it protects may have been rewritten or deleted. "
        "It is back now. Run liuhen audit fixity --all: it checks every object against "
        "its signed manifest and receipt and the custody log, and names what changed. "
        "Find out who had write access to the index."
    ),
    FlagKind.LOG_TAMPERED: (
        "The custody log no longer matches a checkpoint the server signed: an entry or a "
        "stored node was changed or removed outside Liuhen (the detail names the first "
        "entry that differs). The signed checkpoints still prove what the log held; "
        "restore the index from a backup that matches them and find out who changed it."
    ),
    FlagKind.CLOCK_DRIFT: (
        "The camera's clock was off the dock's by more than "
        "compliance.clock_drift_flag_seconds when it docked; the detail has the offset, how "
        "it was measured, and the recording's times as the camera signed them and as "
        "corrected. Coverage counts the corrected times; the signed ones stay as they were. "
        "Have the camera's clock set, look at its other recordings, and if the offset looks "
        "wrong (a camera found already docked when the agent started is measured late, "
        "docs/sidecar.md) record what you found."
    ),
    FlagKind.CAMERA_DIGEST_MISMATCH: (
        "The camera's own digest of the file (its sidecar's check value, 完整性校验值) is not "
        "the digest of the bytes the dock signed and the server stored: a bad card, a "
        "failing cable, or a file changed on the camera. The footage is kept as it arrived. "
        "Compare it with the camera's copy while the camera still holds it, and record what "
        "you found. A SHA-256 claim the server checked itself; an MD5 one the dock checked "
        "(the server keeps no MD5 of the file): the detail's checked_by says which."
    ),
    FlagKind.SIDECAR_UNUSABLE: (
        "The sidecar beside this recording could not be used (the detail names the file and "
        "the field), so it went up with the dock's defaults ([agent.defaults]) and, with no "
        "start in a sidecar, the file's time. Check its case number, officer, place and "
        "start; attach it to its act if it is not; have the dock's export fixed."
    ),
    FlagKind.STATION_SILENT: (
        "A docking station or room recorder has been lost (its broker connection died "
        "without a goodbye) or silent for longer than server.mqtt.silent_flag_seconds: its "
        "footage may not be reaching the server. Find out why (power, network, the agent "
        "stopped) and get it running; the server resolves this flag when it is heard again. "
        "Its footage waits on the station meanwhile: look for late uploads afterwards."
    ),
    FlagKind.SESSION_HOLE: (
        "A room session's footage does not cover the whole session: the detail lists each "
        "gap longer than the tolerance. Find out why (the recorder stopped, a segment was "
        "lost or not uploaded yet: liuhen sessions show) and record it; the server resolves "
        "this flag itself if the missing footage arrives."
    ),
    FlagKind.SESSION_NO_FOOTAGE: (
        "A room session closed and no footage of it reached the server. Check the room's "
        "recorder and its station (liuhen agent status there, liuhen fleet here); the "
        "server resolves this flag itself if footage of the session arrives."
    ),
    FlagKind.DERIVATION_FAILED: (
        "The device gave up making a derived copy (the review copy) of this recording "
        "after agent.derivation_attempts tries; the detail has its last reason. The "
        "original is stored and receipted, unchanged. Fix the cause on the dock (most "
        "often no room for the copy), then run liuhen agent retry there. Resolve this flag with what was done."
    ),
}


def advice_for(kind: str) -> str | None:
    try:
        return FlagKind(kind).advice
    except ValueError:
        return None


def new_flag(
    kind: FlagKind,
    subject: str,
    detail: dict[str, Any],
    now: datetime,
    *,
    device_id: DeviceId | None = None,
    evidence_id: EvidenceId | None = None,
    role: Role | None = None,
) -> NewFlag:
    """A flag to raise now, in the transaction that writes what it is about."""
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    return NewFlag(kind.value, subject, text, now, device_id, evidence_id, role)


def server_resolution(kind: FlagKind, subject: str, why: str, now: datetime) -> FlagResolution:
    """The server resolving its own flag now, because what it waited for happened."""
    return FlagResolution(kind.value, subject, why, SERVER, now)


@dataclass(frozen=True)
class FlagDesk:
    """Flags as people see them: listed, and resolved once, with why."""

    flags: Flags
    clock: Clock

    async def resolve(self, flag_id: int, reason: str, by: Actor) -> FlagRecord:
        """Resolve a flag with why, logged in the custody log with it; UnknownFlag, or
        AlreadyResolved if it was (the first resolution stands, and the flag is kept)."""
        why = check_text("reason", reason, 1024) or ""
        if not why.strip():
            raise MalformedBody("a resolution says why", field="reason")
        held = await self.flags.flag(flag_id)
        if held is None:
            raise UnknownFlag(f"no flag {flag_id}")
        now = self.clock()
        subject = Subject(flag_id=flag_id, evidence_id=held.evidence_id)
        leaf = decision_entry(Decision.FLAG_RESOLVED, by, subject, now, reason=why)
        record = await self.flags.resolve_flag(flag_id, why, by.name, now, leaf=leaf)
        log.warning("flag %d (%s %s) resolved by %s", flag_id, record.kind, record.subject, by.name)
        return record

    async def find(
        self,
        kind: str | None = None,
        is_open: bool | None = True,
        limit: int = 100,
        offset: int = 0,
    ) -> list[FlagRecord]:
        return await self.flags.flags(kind, is_open=is_open, limit=limit, offset=offset)


def flag_json(flag: FlagRecord) -> dict[str, Any]:
    return {
        "flag_id": flag.flag_id,
        "kind": flag.kind,
        "subject": flag.subject,
        "device_id": None if flag.device_id is None else str(flag.device_id),
        "evidence_id": None if flag.evidence_id is None else str(flag.evidence_id),
        "role": None if flag.role is None else flag.role.value,
        "detail": json.loads(flag.detail),
        "raised_at": format_time(flag.raised_at),
        "advice": advice_for(flag.kind),
        "resolved_at": None if flag.resolved_at is None else format_time(flag.resolved_at),
        "resolved_by": flag.resolved_by,
        "resolution": flag.resolution,
    }
