"""What a station publishes over MQTT: its status, its state, and its events (docs/mqtt.md).

Payloads are canonical JSON (``strict_json``), so the same document is the same bytes, and
read strictly: a field of the wrong type is refused naming it (``bad_message``). Unknown
event types are kept, not refused, so a fleet keeps reading stations newer than itself.

An event carries its station's boot (each start of the agent) and its sequence number in
that boot, from 1 with no gaps at the source: a consumer that sees a gap knows it missed
something; ``event_id`` is unique for ever, so a consumer drops the copies it was sent
twice (after a broker restart, a station may replay one it was never acknowledged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evidence.errors import MalformedMessage
from evidence.ranges import INT64_MAX
from evidence.strict_json import Fields, canonical_bytes, format_time, loads_object

__all__ = [
    "EVENT_TYPES",
    "STATUSES",
    "StationEvent",
    "StationState",
    "StationStatus",
]

STATUSES = ("online", "offline", "lost")
EVENT_TYPES = (
    "discovered",
    "uploaded",
    "finalized",
    "error",
    "disk_low",
    "camera_docked",
    "camera_undocked",
    "camera_digest_mismatch",
    "clock_drift",
    "sidecar_unusable",
    "footage_left_on_camera",
    "session_opened",
    "session_closed",
    "session_no_footage",
    "session_recording_stopped",
)
_TYPE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _read(body: bytes, what: str) -> Fields:
    return Fields(loads_object(body, MalformedMessage, what), MalformedMessage)


def _ident(fields: Fields, key: str) -> str:
    value = fields.text(key, max_length=64)
    if not _ID.fullmatch(value):
        raise MalformedMessage(f"field {key} is 1-64 of A-Z a-z 0-9 . _ -", field=key)
    return value


@dataclass(frozen=True, slots=True)
class StationStatus:
    """Retained: ``online`` while connected, ``offline`` after a clean stop, and ``lost``
    (the will) when the broker lost the station without a goodbye."""

    status: str
    device_id: str
    boot: str
    software: str

    def to_bytes(self) -> bytes:
        return canonical_bytes(
            {
                "status": self.status,
                "device_id": self.device_id,
                "boot": self.boot,
                "software": self.software,
            }
        )

    @classmethod
    def parse(cls, body: bytes) -> StationStatus:
        fields = _read(body, "status")
        status = fields.text("status", max_length=16)
        if status not in STATUSES:
            raise MalformedMessage(f"status must be one of {STATUSES}", field="status")
        parsed = cls(
            status, _ident(fields, "device_id"), _ident(fields, "boot"), fields.text("software")
        )
        fields.done()
        return parsed


@dataclass(frozen=True, slots=True)
class StationState:
    """Retained, every ``agent.mqtt.state_seconds``: the station's queue and resources.
    A number the station cannot tell is null."""

    device_id: str
    boot: str
    at: datetime
    queue: dict[str, int]  # files by journal state, finished ones left out
    bytes_pending: int
    oldest_pending_seconds: int | None
    disk_free_bytes: int | None
    upload_bytes_per_second: int | None
    paused: bool
    bandwidth_bytes_per_second: int | None

    def to_bytes(self) -> bytes:
        return canonical_bytes(
            {
                "device_id": self.device_id,
                "boot": self.boot,
                "at": format_time(self.at),
                "queue": dict(sorted(self.queue.items())),
                "bytes_pending": self.bytes_pending,
                "oldest_pending_seconds": self.oldest_pending_seconds,
                "disk_free_bytes": self.disk_free_bytes,
                "upload_bytes_per_second": self.upload_bytes_per_second,
                "paused": self.paused,
                "bandwidth_bytes_per_second": self.bandwidth_bytes_per_second,
            }
        )

    @classmethod
    def parse(cls, body: bytes) -> StationState:
        fields = _read(body, "state")
        counts = fields.free_object("queue")
        if not all(type(n) is int and 0 <= n <= INT64_MAX for n in counts.values()):
            raise MalformedMessage("field queue maps states to counts", field="queue")
        parsed = cls(
            device_id=_ident(fields, "device_id"),
            boot=_ident(fields, "boot"),
            at=fields.time("at"),
            queue=counts,
            bytes_pending=fields.integer("bytes_pending"),
            oldest_pending_seconds=fields.optional_integer("oldest_pending_seconds"),
            disk_free_bytes=fields.optional_integer("disk_free_bytes"),
            upload_bytes_per_second=fields.optional_integer("upload_bytes_per_second"),
            paused=fields.boolean("paused"),
            bandwidth_bytes_per_second=fields.optional_integer("bandwidth_bytes_per_second"),
        )
        fields.done()
        return parsed


@dataclass(frozen=True, slots=True)
class StationEvent:
    event_id: str
    device_id: str
    boot: str
    seq: int
    type: str
    at: datetime
    subject: str | None = None  # a file, a camera, a session: what the event is about
    detail: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return canonical_bytes(
            {
                "event_id": self.event_id,
                "device_id": self.device_id,
                "boot": self.boot,
                "seq": self.seq,
                "type": self.type,
                "at": format_time(self.at),
                "subject": self.subject,
                "detail": self.detail,
            }
        )

    @classmethod
    def parse(cls, body: bytes) -> StationEvent:
        fields = _read(body, "event")
        kind = fields.text("type", max_length=64)
        if not _TYPE.fullmatch(kind):
            raise MalformedMessage("field type is lowercase letters, digits and _", field="type")
        detail = fields.free_object("detail")
        parsed = cls(
            event_id=_ident(fields, "event_id"),
            device_id=_ident(fields, "device_id"),
            boot=_ident(fields, "boot"),
            seq=fields.integer("seq", minimum=1, maximum=INT64_MAX),
            type=kind,
            at=fields.time("at"),
            subject=fields.optional_text("subject", max_length=4096),
            detail=detail,  # free-form, documented per type
        )
        fields.done()
        return parsed
