"""``liuhen fleet``: every station's liveness, queue, oldest pending footage, last seen and
clocks, as the server heard them over MQTT; through the API."""

from __future__ import annotations

import argparse
from typing import Any

from evidence.wire import FLEET
from liuhen.cli_login import signed_in
from liuhen.fleet_output import print_fleet
from liuhen.settings import Settings

__all__ = ["add_fleet_commands"]


async def _fleet(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0, or 1 when a station is lost or silent."""
    async with signed_in(settings) as client:
        shown = await client.json("GET", FLEET)
    print_fleet(shown, as_json=args.json)
    troubled = {"lost", "silent"}
    return 1 if any(s["condition"] in troubled for s in shown["stations"]) else 0


def add_fleet_commands(groups: Any) -> None:
    fleet = groups.add_parser("fleet", help="every station: online, lost or silent, queue, clocks")
    fleet.set_defaults(run=_fleet)
    fleet.add_argument("--json", action="store_true", help="what GET /api/v1/fleet answers")
