"""What each station tells the fleet, kept as it arrives (``StationBook``), and the fleet
as people see it (``FleetDesk``): every station, registered or heard, with its liveness,
queue, oldest pending footage, last seen, clocks and the events it missed.

Times: the server hears a message at its own clock's time. A live message moves the
station's last-seen time; a retained copy (delivered as the server subscribes) does not,
except a retained state, which says when the station sent it (its own clock, never later
than now). A live state also tells the station's clock against the server's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evidence.errors import LiuhenError, MalformedMessage
from evidence.manifest_dock import read_clock
from evidence.strict_json import Fields, canonical_bytes
from evidence.telemetry import StationEvent, StationState, StationStatus
from ingest.access.devices import SERVER_DEVICE
from ingest.clock import Clock
from ingest.fleet.liveness import Liveness, liveness
from storage.fleet_records import (
    BootRecord,
    CameraClockRecord,
    EventRecord,
    GapRecord,
    StationRecord,
)
from storage.interfaces import Devices, Fleet
from storage.records import DeviceStatus

__all__ = ["FleetDesk", "StationBook", "StationView", "cameras_in"]

CLOCK_EVENTS = ("camera_docked", "clock_drift")


def cameras_in(event: StationEvent) -> tuple[CameraClockRecord, ...]:
    """The camera clock a ``camera_docked`` or ``clock_drift`` event carries, if any (the
    detail is free-form: one that does not hold a clock as a manifest's says nothing)."""
    clock = event.detail.get("clock")
    if event.type not in CLOCK_EVENTS or event.subject is None or not isinstance(clock, dict):
        return ()
    try:
        measured = read_clock(Fields(clock, MalformedMessage, "clock"))
    except LiuhenError:
        return ()
    if measured is None:
        return ()
    record = CameraClockRecord(
        event.device_id, event.subject, measured.offset_ms, measured.measured_at, measured.method
    )
    return (record,)


def _ms(delta: timedelta) -> int:
    return round(delta / timedelta(milliseconds=1))


@dataclass(frozen=True)
class StationBook:
    fleet: Fleet
    clock: Clock

    async def status(self, status: StationStatus, retained: bool) -> None:
        now = self.clock()
        spoke = not retained and status.status != "lost"  # the will is the broker's word
        await self.fleet.record_status(
            status.device_id,
            status.status,
            status.boot,
            status.software,
            now,
            now if spoke else None,
        )

    async def state(self, state: StationState, retained: bool) -> None:
        now = self.clock()
        text = state.to_bytes().decode("utf-8")
        if retained:
            await self.fleet.record_state(state.device_id, text, now, min(state.at, now), None)
        else:
            await self.fleet.record_state(state.device_id, text, now, now, _ms(state.at - now))

    async def event(self, event: StationEvent) -> bool:
        """Keep an event once; False for a copy already kept."""
        record = EventRecord(
            event.event_id,
            event.device_id,
            event.boot,
            event.seq,
            event.type,
            event.at,
            event.subject,
            canonical_bytes(event.detail).decode("utf-8"),
            self.clock(),
        )
        return await self.fleet.record_event(record, cameras_in(event))


@dataclass(frozen=True, slots=True)
class StationView:
    device_id: str
    registered: bool
    record: StationRecord | None
    liveness: Liveness
    boots: tuple[BootRecord, ...]
    gaps: tuple[GapRecord, ...]
    cameras: tuple[CameraClockRecord, ...]

    @property
    def state(self) -> dict[str, Any] | None:
        """The station's last state message, as it sent it (docs/mqtt.md)."""
        if self.record is None or self.record.state is None:
            return None
        parsed: dict[str, Any] = json.loads(self.record.state)
        return parsed


@dataclass(frozen=True)
class FleetDesk:
    fleet: Fleet
    devices: Devices
    clock: Clock
    silent_after_seconds: float  # server.mqtt.silent_after_seconds

    async def stations(self) -> list[StationView]:
        """Every active registered device and every station heard, by device id."""
        now = self.clock()
        heard = {record.device_id: record for record in await self.fleet.stations()}
        registered = {
            str(device.device_id)
            for device in await self.devices.list_all()
            if device.status is DeviceStatus.ACTIVE and device.device_id != SERVER_DEVICE
        }
        boots, gaps, cameras = (
            await self.fleet.boots(),
            await self.fleet.gaps(),
            await self.fleet.cameras(),
        )
        return [
            StationView(
                device_id,
                device_id in registered,
                heard.get(device_id),
                self._liveness(heard.get(device_id), now),
                tuple(boot for boot in boots if boot.device_id == device_id),
                tuple(gap for gap in gaps if gap.device_id == device_id),
                tuple(camera for camera in cameras if camera.device_id == device_id),
            )
            for device_id in sorted(registered | set(heard))
        ]

    def _liveness(self, record: StationRecord | None, now: datetime) -> Liveness:
        if record is None:
            return liveness(None, None, None, now, self.silent_after_seconds)
        return liveness(
            record.status, record.last_seen_at, record.status_at, now, self.silent_after_seconds
        )
