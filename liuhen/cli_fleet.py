"""``liuhen fleet``: every station's liveness, queue, oldest pending footage, last seen and
clocks, as the server heard them over MQTT; on the server host, from its books (the
running server keeps them; this command reads them)."""

from __future__ import annotations

import argparse
from typing import Any

from ingest.fleet.views import fleet_json
from ingest.wiring import fleet_desk
from liuhen.fleet_output import print_fleet
from liuhen.server_host import server_books
from liuhen.settings import Settings

__all__ = ["add_fleet_commands"]


async def _fleet(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0, or 1 when a station is lost or silent."""
    async with server_books(settings) as parts:
        desk = fleet_desk(parts)
        stations = await desk.stations()
        link = {"enabled": settings.server.mqtt.enabled, "connected": None}
        shown = fleet_json(stations, desk.clock(), desk.silent_after_seconds, link)
    print_fleet(shown, as_json=args.json)
    troubled = {"lost", "silent"}
    return 1 if any(s["condition"] in troubled for s in shown["stations"]) else 0


def add_fleet_commands(groups: Any) -> None:
    fleet = groups.add_parser("fleet", help="every station: online, lost or silent, queue, clocks")
    fleet.set_defaults(run=_fleet)
    fleet.add_argument("--json", action="store_true", help="what GET /api/v1/fleet answers")
