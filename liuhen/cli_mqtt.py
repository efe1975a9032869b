"""``liuhen mqtt acl``: the broker's access list for a fleet (docs/mqtt.md): every station,
room controller, reader and operator named, each kept to its own topics. Write it to the
file mosquitto's ``acl_file`` names; the users' passwords go in its ``password_file``
(``mosquitto_passwd``)."""

from __future__ import annotations

import argparse
from typing import Any

from evidence.mqtt_wire import mosquitto_acl
from liuhen.cli_command import command, group
from liuhen.settings import Settings

__all__ = ["add_mqtt_commands"]


async def _acl(settings: Settings, args: argparse.Namespace) -> int:
    print(
        mosquitto_acl(
            args.prefix or settings.agent.mqtt.prefix,
            stations=args.station,
            rooms=args.room,
            readers=args.reader,
            operators=args.operator,
        ),
        end="",
    )
    return 0


def add_mqtt_commands(groups: Any) -> None:
    mqtt = group(groups, "mqtt", "the MQTT broker")
    acl = command(mqtt, "acl", _acl, "print mosquitto's access list for these users")
    for option, who in (
        ("--station", "a station (its device id): writes only under its own prefix"),
        ("--room", "a room controller (its room id): writes only its room's session"),
        ("--reader", "reads everything, writes nothing (the fleet view)"),
        ("--operator", "reads everything and sends commands"),
    ):
        acl.add_argument(option, action="append", default=[], metavar="USER", help=who)
    acl.add_argument("--prefix", help="default: agent.mqtt.prefix")
