"""Helpers shared by the server tests."""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from evidence.manifest import SignedManifest
from evidence.tus_wire import BUSY_HEADER, OFFSET_CONTENT_TYPE, TUS_VERSION
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


async def half_sent(
    url: str, token: str, body: bytes, declared: int, offset: int = 0
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A PATCH at ``offset`` that declares ``declared`` bytes and sends ``body`` of them,
    its connection left open for the rest (``writer``) and the reply (``reader``)."""
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    head = (
        f"PATCH {where.path} HTTP/1.1\r\nHost: {where.netloc}\r\n"
        f"Authorization: Bearer {token}\r\nTus-Resumable: {TUS_VERSION}\r\n"
        f"Content-Type: {OFFSET_CONTENT_TYPE}\r\nUpload-Offset: {offset}\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    return reader, writer


async def reply_status(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    """The status and headers of a reply read from a raw connection."""
    status = int((await asyncio.wait_for(reader.readline(), 30)).split()[1])
    headers: dict[str, str] = {}
    while (line := (await reader.readline()).decode().strip()) != "":
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    return status, headers


async def committed(server: Server, url: str, token: str) -> tuple[int, bool]:
    head = await server.head(url, token)
    assert head.status == 200, head.body
    return int(head.headers["Upload-Offset"]), head.headers.get(BUSY_HEADER) == "1"


async def offset_reaches(server: Server, url: str, token: str, wanted: int) -> bool:
    """Poll HEAD until the committed offset is ``wanted``; return whether it was busy then."""
    for _ in range(200):
        offset, busy = await committed(server, url, token)
        assert offset <= wanted, f"committed {offset}, past what the body brought"
        if offset == wanted:
            return busy
        await asyncio.sleep(0.05)
    raise AssertionError(f"the offset stayed at {offset}, never {wanted}")
