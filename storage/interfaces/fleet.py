"""The fleet and the rooms as MQTT told them: advisory, never evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from storage.fleet_records import (
    BootRecord,
    CameraClockRecord,
    EventRecord,
    GapRecord,
    RoomSessionRecord,
    SessionSegment,
    StationRecord,
)
from storage.records import FlagResolution, NewFlag

__all__ = ["Fleet", "FleetRecorder", "FleetView", "Rooms"]


class FleetRecorder(Protocol):
    """What MQTT tells of the fleet, recorded as it arrives."""

    async def record_status(
        self,
        device_id: str,
        status: str,
        boot: str,
        software: str,
        heard_at: datetime,
        seen_at: datetime | None,
    ) -> None:
        """Keep a station's reported status; ``seen_at`` (None for the broker's will or a
        retained copy) moves its last-seen time forward."""
        ...

    async def record_state(
        self,
        device_id: str,
        state: str,
        heard_at: datetime,
        seen_at: datetime | None,
        station_clock_ms: int | None,
    ) -> None: ...

    async def record_event(
        self, event: EventRecord, cameras: Sequence[CameraClockRecord] = ()
    ) -> bool:
        """Keep an event once (by id, and by its boot and sequence number), count it in its
        boot and keep the camera clocks it carries, in one transaction; False for a copy."""
        ...


class FleetView(Protocol):
    """The fleet as recorded: stations, boots, gaps, cameras, events (and old ones pruned)."""

    async def stations(self) -> list[StationRecord]: ...

    async def boots(self) -> list[BootRecord]: ...

    async def gaps(self, device_id: str | None = None) -> list[GapRecord]: ...

    async def cameras(self) -> list[CameraClockRecord]: ...

    async def events(self, device_id: str, limit: int = 100) -> list[EventRecord]: ...

    async def prune_events(self, before: datetime) -> int: ...


class Fleet(FleetRecorder, FleetView, Protocol):
    """The fleet as MQTT told it (docs/mqtt.md): advisory, never evidence."""


class Rooms(Protocol):
    """Room sessions as their controllers published them, and their segments."""

    async def record_session(self, session: RoomSessionRecord) -> bool:
        """Keep a new session or close an open one; False when nothing changed."""
        ...

    async def session(self, session_id: str) -> RoomSessionRecord | None: ...

    async def sessions(
        self, room: str | None, case_number: str | None, limit: int, offset: int
    ) -> list[RoomSessionRecord]: ...

    async def segments(self, session_id: str) -> list[SessionSegment]: ...

    async def to_judge(
        self, closed_before: datetime, flag_kinds: Sequence[str]
    ) -> list[RoomSessionRecord]: ...

    async def judged(
        self,
        session_id: str,
        verdict: str,
        flags: Sequence[NewFlag] = (),
        resolutions: Sequence[FlagResolution] = (),
        superseded: Sequence[FlagResolution] = (),
    ) -> None:
        """Keep a verdict with the flags it raises and resolves, in one transaction; an
        open flag of a raised kind that says something else is resolved as superseded."""
        ...
