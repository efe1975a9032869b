"""Every message the fleet's subscription delivers, read by its topic (docs/mqtt.md): a
station's status, state or events, or a room controller's session. Each payload is read
strictly by the kernel's reader; one that is not what its topic carries, or that names
another station than its topic, is logged and dropped (``bad_message``), and the rest go
on. Events are kept once; a new ``session_opened`` or ``session_closed`` event carries the
controller's session document, kept as if the controller had said it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from evidence.errors import BadRequest, MalformedMessage
from evidence.mqtt_wire import EVENTS, STATE, STATUS, room_of, station_of
from evidence.room_session import RoomSession
from evidence.strict_json import canonical_bytes
from evidence.telemetry import StationEvent, StationState, StationStatus
from ingest.fleet.room_sessions import RoomSessions
from ingest.fleet.stations import StationBook

__all__ = ["SESSION_EVENTS", "FleetInbox"]

log = logging.getLogger(__name__)

SESSION_EVENTS = ("session_opened", "session_closed")


def _same(named: str, topic: str, what: str) -> None:
    if named != topic:
        raise MalformedMessage(f"{what} names {named}, not its topic's {topic}", field="device_id")


@dataclass(frozen=True)
class FleetInbox:
    prefix: str  # server.mqtt.prefix
    stations: StationBook
    rooms: RoomSessions

    async def take(self, topic: str, payload: bytes, retained: bool) -> None:
        try:
            await self._take(topic, payload, retained)
        except BadRequest as exc:
            log.warning("fleet: a message on %s dropped [%s]: %s", topic, exc.code, exc.message)

    async def _take(self, topic: str, payload: bytes, retained: bool) -> None:
        room = room_of(self.prefix, topic)
        if room is not None:
            session = RoomSession.parse(payload)
            if session.room != room:
                raise MalformedMessage(f"session of room {session.room} on {room}'s topic")
            await self.rooms.heard(session, "controller")
            return
        found = station_of(self.prefix, topic)
        if found is None:
            return
        device_id, leaf = found
        if leaf == STATUS:
            status = StationStatus.parse(payload)
            _same(status.device_id, device_id, "status")
            await self.stations.status(status, retained)
        elif leaf == STATE:
            state = StationState.parse(payload)
            _same(state.device_id, device_id, "state")
            await self.stations.state(state, retained)
        elif leaf == EVENTS:
            await self._event(StationEvent.parse(payload), device_id)

    async def _event(self, event: StationEvent, device_id: str) -> None:
        _same(event.device_id, device_id, "event")
        if not await self.stations.event(event) or event.type not in SESSION_EVENTS:
            return  # a copy, or nothing more to keep
        session = RoomSession.parse(canonical_bytes(event.detail))
        await self.rooms.heard(session, device_id)
