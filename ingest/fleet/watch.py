"""The fleet's watch, every ``server.mqtt.watch_seconds`` while the subscription runs:
stations lost or silent too long raise ``station_silent`` (one open flag per station,
resolved by the server when the station is heard online again); closed room sessions
that are due are judged (``room_sessions.py``); events older than
``server.mqtt.keep_events_days`` are dropped."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from evidence.identifiers import DeviceId
from evidence.strict_json import format_time
from ingest.clock import Clock
from ingest.custody.flags import SERVER, FlagKind, new_flag
from ingest.fleet.liveness import Condition
from ingest.fleet.room_sessions import RoomSessions
from ingest.fleet.stations import FleetDesk, StationView
from storage.interfaces import Flags

__all__ = ["FleetWatch"]

log = logging.getLogger(__name__)

_SILENT = FlagKind.STATION_SILENT


@dataclass(frozen=True)
class FleetWatch:
    desk: FleetDesk
    rooms: RoomSessions
    flags: Flags
    clock: Clock
    silent_flag_seconds: float  # server.mqtt.silent_flag_seconds
    interval_seconds: float  # server.mqtt.watch_seconds
    keep_events_days: float  # server.mqtt.keep_events_days

    async def round(self) -> None:
        for station in await self.desk.stations():
            await self._silence(station)
        await self.rooms.judge()
        before = self.clock() - timedelta(days=self.keep_events_days)
        await self.desk.fleet.prune_events(before)

    async def _silence(self, station: StationView) -> None:
        alive = station.liveness
        now = self.clock()
        if alive.condition is Condition.ONLINE:
            why = "the station was heard online again"
            if await self.flags.resolve(_SILENT.value, station.device_id, why, SERVER, now):
                log.info("station %s is back: station_silent resolved", station.device_id)
            return
        if not alive.silent_longer_than(self.silent_flag_seconds):
            return
        record = station.record
        last_seen = None if record is None else record.last_seen_at
        detail = {
            "condition": alive.condition.value,
            "last_seen_at": None if last_seen is None else format_time(last_seen),
            "quiet_seconds": None if alive.quiet_seconds is None else round(alive.quiet_seconds),
            "boot": None if record is None else record.boot,
            "silent_flag_seconds": self.silent_flag_seconds,
        }
        flag = new_flag(
            _SILENT, station.device_id, detail, now, device_id=DeviceId(station.device_id)
        )
        if await self.flags.raise_flag(
            flag.kind, flag.subject, flag.detail, now, device_id=flag.device_id
        ):
            log.warning(
                "station %s %s for %s s",
                station.device_id,
                alive.condition,
                detail["quiet_seconds"],
            )

    async def run_forever(self) -> None:
        while True:
            try:
                await self.round()
            except Exception:
                log.exception("fleet watch failed; will try again")
            await asyncio.sleep(self.interval_seconds)
