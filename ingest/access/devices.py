"""The server as a device of its own: what it signs for custodians (a transcript typed at
the office) goes through the same registration, verification and receipt as any upload,
under the server's key, with a manifest chain of its own."""

from __future__ import annotations

from datetime import UTC, datetime

from evidence.errors import ConfigError
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PrivateKey, key_id, raw_public_key
from storage.interfaces import Index
from storage.records import DeviceRecord

__all__ = ["SERVER_DEVICE", "ensure_server_device"]

SERVER_DEVICE = DeviceId("liuhen-ingest")


async def ensure_server_device(index: Index, key: Ed25519PrivateKey) -> DeviceRecord:
    public = key.public_key()
    device = await index.devices.get(SERVER_DEVICE)
    if device is None:
        return await index.devices.add(
            SERVER_DEVICE,
            "this ingest server",
            key_id(public),
            raw_public_key(public),
            datetime.now(UTC),
        )
    held = await index.devices.key(key_id(public))
    if held is None or held.device_id != SERVER_DEVICE:
        raise ConfigError(
            f"device {SERVER_DEVICE} is registered with another key: the server key was replaced"
        )
    return device
