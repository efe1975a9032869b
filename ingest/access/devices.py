"""Devices registered with the server, administered on the server host: register one with
its public key, revoke one; and the server as a device of its own, whose key signs what
custodians attach (a transcript typed at the office) through the same registration,
verification and receipt as any upload, with a manifest chain of its own."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from evidence.errors import ConfigError
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PrivateKey, key_id, public_key_from_pem, raw_public_key
from storage.interfaces import Devices
from storage.records import DeviceRecord

__all__ = ["SERVER_DEVICE", "ensure_server_device", "register_device", "revoke_device"]

log = logging.getLogger(__name__)

SERVER_DEVICE = DeviceId("liuhen-ingest")


async def register_device(
    devices: Devices, device_id: DeviceId, public_key_pem: bytes, label: str | None = None
) -> DeviceRecord:
    key = public_key_from_pem(public_key_pem)
    record = await devices.add(
        device_id, label, key_id(key), raw_public_key(key), datetime.now(UTC)
    )
    log.info("registered device %s with key %s", device_id, key_id(key))
    return record


async def revoke_device(devices: Devices, device_id: DeviceId) -> DeviceRecord:
    record = await devices.revoke(device_id, datetime.now(UTC))
    log.warning("revoked device %s", device_id)
    return record


async def ensure_server_device(devices: Devices, key: Ed25519PrivateKey) -> DeviceRecord:
    public = key.public_key()
    device = await devices.get(SERVER_DEVICE)
    if device is None:
        return await devices.add(
            SERVER_DEVICE,
            "this ingest server",
            key_id(public),
            raw_public_key(public),
            datetime.now(UTC),
        )
    held = await devices.key(key_id(public))
    if held is None or held.device_id != SERVER_DEVICE:
        raise ConfigError(
            f"device {SERVER_DEVICE} is registered with another key: the server key was replaced"
        )
    return device
