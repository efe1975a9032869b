"""The fleet's services, built once from the books (``parts.Parts``): the desk that shows
the stations, the room sessions, and, with ``server.mqtt.enabled``, the subscription and
its watch. ``wiring.build_services`` gathers them with the others."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.fleet.inbox import FleetInbox
from ingest.fleet.link import FleetLink, read_password
from ingest.fleet.room_sessions import RoomSessions
from ingest.fleet.stations import FleetDesk, StationBook
from ingest.fleet.watch import FleetWatch
from ingest.parts import Parts

__all__ = ["FleetRoom", "fleet_desk", "fleet_room", "room_sessions"]


@dataclass(frozen=True)
class FleetRoom:
    """The subscription and its watch: what runs only with ``server.mqtt.enabled``."""

    link: FleetLink
    watch: FleetWatch


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


def fleet_room(parts: Parts, desk: FleetDesk, rooms: RoomSessions) -> FleetRoom | None:
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
