"""Helpers shared by the server tests."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from evidence.manifest import SignedManifest
from tests.builders import signed_for
from tests.conftest import Device, Server

SMALL_CHUNK = 64 * 1024


@dataclass
class Prepared:
    device: Device
    token: str
    data: bytes
    signed: SignedManifest


async def prepared(
    server: Server, size: int = 3 * SMALL_CHUNK + 100, **options: object
) -> Prepared:
    """A registered device, signed in, with a registered manifest for ``size`` random bytes."""
    device = await server.add_device()
    token = await server.token_for(device)
    data = os.urandom(size)
    options.setdefault("chunk_size", SMALL_CHUNK)
    signed = signed_for(data, device.device_id, device.key, **options)  # type: ignore[arg-type]
    reply = await server.register(signed, token)
    assert reply.status == 201, reply.body
    return Prepared(device, token, data, signed)


async def created(server: Server, ready: Prepared) -> str:
    reply = await server.create(ready.signed, ready.token)
    assert reply.status == 201, reply.body
    return str(reply.headers["Location"])


def sha256(data: bytes) -> tuple[str, bytes]:
    return ("sha256", hashlib.sha256(data).digest())


async def upload_all(server: Server, ready: Prepared, url: str, piece: int = SMALL_CHUNK) -> None:
    for offset in range(0, len(ready.data), piece):
        part = ready.data[offset : offset + piece]
        reply = await server.patch(url, offset, part, ready.token, checksum=sha256(part))
        assert reply.status == 204, reply.body
