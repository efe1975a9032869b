"""``liuhen device``: the devices registered with the server (register one with its public
key, revoke one, list them). Works on the server's books directly, on the server host."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from evidence.identifiers import DeviceId
from ingest.access.devices import register_device, revoke_device
from liuhen.cli_command import command, group
from liuhen.server_host import server_books
from liuhen.settings import Settings

__all__ = ["add_registry_commands"]


async def _device_register(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        record = await register_device(
            parts.index.devices, DeviceId(args.device_id), args.public_key.read_bytes(), args.label
        )
    print(f"registered {record.device_id}")
    return 0


async def _device_revoke(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        record = await revoke_device(parts.index.devices, DeviceId(args.device_id))
    print(f"revoked {record.device_id} at {record.revoked_at}")
    return 0


async def _device_list(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        for device in await parts.index.devices.list_all():
            print(f"{device.device_id}\t{device.status.value}\t{device.label or ''}")
    return 0


def add_registry_commands(groups: Any) -> None:
    device = group(groups, "device", "registered devices")
    register = command(device, "register", _device_register, "register a device and its public key")
    register.add_argument("device_id")
    register.add_argument(
        "--public-key", type=Path, required=True, help="the device's public key (PEM)"
    )
    register.add_argument("--label")
    revoke = command(device, "revoke", _device_revoke, "refuse a device from now on")
    revoke.add_argument("device_id")
    command(device, "list", _device_list, "list registered devices")
