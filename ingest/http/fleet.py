"""The fleet and room sessions over HTTP (user tokens only; docs/protocol.md): every
station's liveness, queue and clocks, and each room session with its coverage. Thin:
parse, authorise, ask the fleet desk or the room sessions, answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from evidence.errors import BadRequest
from evidence.wire import FLEET, SESSIONS
from ingest.compliance import forms
from ingest.fleet.views import fleet_json, session_json
from ingest.http.credentials import signed_in_user
from ingest.http.services import services
from ingest.wiring import FleetRoom

__all__ = ["add_fleet_routes"]


def _subscription(room: FleetRoom | None) -> dict[str, Any]:
    return {
        "enabled": room is not None,
        "connected": room is not None and room.link.connected.is_set(),
    }


async def get_fleet(request: web.Request) -> web.Response:
    await signed_in_user(request)
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


async def get_sessions(request: web.Request) -> web.Response:
    await signed_in_user(request)
    room, case_number = _session_filters(request.query)
    limit, offset = forms.page(request.query)
    found = await services(request).rooms.listing(room, case_number, limit, offset)
    return web.json_response({"sessions": [session_json(item) for item in found]})


def add_fleet_routes(app: web.Application) -> None:
    app.router.add_get(FLEET, get_fleet)
    app.router.add_get(SESSIONS, get_sessions)
