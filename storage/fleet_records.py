"""Rows of the fleet view and of room sessions, as MQTT told them (docs/mqtt.md). Plain
frozen values; the index keeps them, it decides nothing. Advisory: HTTP is the source of
truth for footage, and nothing here is evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "BootRecord",
    "CameraClockRecord",
    "EventRecord",
    "GapRecord",
    "RoomSessionRecord",
    "SessionSegment",
    "StationRecord",
]


@dataclass(frozen=True, slots=True)
class StationRecord:
    """A station as last heard: its reported status, its last state, and when it last
    spoke itself (a live message: not the broker's will, not a retained copy)."""

    device_id: str
    status: str | None  # online, offline or lost, as last reported; None: no status yet
    boot: str | None
    software: str | None
    status_at: datetime | None  # when the server heard that status
    state: str | None  # the last state message, canonical JSON
    state_at: datetime | None  # when the server heard it
    last_seen_at: datetime | None
    station_clock_ms: int | None  # the station's clock less the server's, at a live state


@dataclass(frozen=True, slots=True)
class EventRecord:
    event_id: str
    device_id: str
    boot: str
    seq: int
    type: str
    at: datetime  # the station's clock
    subject: str | None
    detail: str  # JSON
    received_at: datetime  # the server's clock


@dataclass(frozen=True, slots=True)
class BootRecord:
    """One start of a station's agent, as its events told it: the highest sequence number
    heard and how many distinct ones; the difference is what was missed."""

    device_id: str
    boot: str
    first_heard_at: datetime
    highest_seq: int
    received: int

    @property
    def missed(self) -> int:
        return self.highest_seq - self.received


@dataclass(frozen=True, slots=True)
class GapRecord:
    """Sequence numbers of a boot that never arrived: ``from_seq`` to ``to_seq``."""

    device_id: str
    boot: str
    from_seq: int
    to_seq: int


@dataclass(frozen=True, slots=True)
class CameraClockRecord:
    """A camera's clock as a station last measured it when the camera docked."""

    device_id: str
    camera: str
    offset_ms: int  # camera minus station
    measured_at: datetime
    method: str


@dataclass(frozen=True, slots=True)
class RoomSessionRecord:
    """An interview or hearing room's session, as its controller published it (directly,
    or through a station's ``session_opened``/``session_closed`` events)."""

    session_id: str
    room: str
    state: str  # open, closed
    started_at: datetime
    stopped_at: datetime | None
    room_name: str | None
    case_number: str | None
    participants: tuple[str, ...]
    records: tuple[str, ...]
    heard_from: str  # "controller", or the device id of the station that told it
    heard_at: datetime
    verdict: str | None = None  # covered, partial, missing: as last judged once closed


@dataclass(frozen=True, slots=True)
class SessionSegment:
    """A segment bound to a session (its manifest's ``session``): its span in station
    milliseconds when it is stored, None while only registered."""

    evidence_id: str
    index: int
    start_ms: int | None
    end_ms: int | None
