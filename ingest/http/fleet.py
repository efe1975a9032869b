"""The fleet and room sessions over HTTP (people with read_records; docs/protocol.md): every
station's liveness, queue and clocks, and each room session with its coverage. Thin:
parse, authorise, ask the fleet desk or the room sessions, answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from evidence.errors import BadRequest
from evidence.wire import FLEET, SESSIONS
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.compliance import forms
from ingest.fleet.views import fleet_json, session_json
from ingest.fleet_wiring import FleetRoom
from ingest.http.guard import person_route
from ingest.http.services import services

__all__ = ["add_fleet_routes"]


def _subscription(room: FleetRoom | None) -> dict[str, Any]:
    return {
        "enabled": room is not None,
        "connected": room is not None and room.link.connected.is_set(),
    }


async def get_fleet(request: web.Request, person: Person) -> web.Response:
    built = services(request)
    desk = built.fleet
    stations = await desk.stations()
    shown = fleet_json(
        stations, desk.clock(), desk.silent_after_seconds, _subscription(built.fleet_room)
    )
    return web.json_response(shown)


def _session_filters(query: Mapping[str, str]) -> tuple[str | None, str | None]:
    unknown = sorted(set(query) - {"room", "case_number", "limit", "offset"})
    if unknown:
        raise BadRequest(f"unknown parameter(s): {', '.join(unknown)}")
    return query.get("room") or None, query.get("case_number") or None


async def get_sessions(request: web.Request, person: Person) -> web.Response:
    room, case_number = _session_filters(request.query)
    if case_number is None:
        services(request).gate.every_case(person, "the list of room sessions")
    else:
        await services(request).gate.case(person, case_number)
    limit, offset = forms.page(request.query)
    found = await services(request).rooms.listing(room, case_number, limit, offset)
    return web.json_response({"sessions": [session_json(item) for item in found]})


def add_fleet_routes(app: web.Application) -> None:
    person_route(app, "GET", FLEET, get_fleet, Action.READ_RECORDS)
    person_route(app, "GET", SESSIONS, get_sessions, Action.READ_RECORDS)
