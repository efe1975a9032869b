"""A strict tus 1.0 client: every request names the version, every answer is checked
(status, Tus-Resumable, offsets), and every chunk carries Upload-Checksum.

Before its first request the client reads the server's OPTIONS once and refuses to send
anything unless the server speaks tus 1.0.0 with the creation and checksum extensions and
sha256: a server that ignored Upload-Checksum would silently drop the per-chunk check."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import Payload

from agent import failpoints
from agent.server_api import Reply, ServerApi
from evidence.errors import ChecksumUnsupported, Unavailable
from evidence.tus_wire import (
    OFFSET_CONTENT_TYPE,
    TUS_VERSION,
    encode_metadata,
    format_checksum,
    parse_size,
)
from evidence.wire import FILES

__all__ = ["ChunkPayload", "TusClient", "missing_support"]

log = logging.getLogger(__name__)

_SLICE = 1024 * 1024
# What the server's OPTIONS answer must offer, header by header.
_NEEDED = (
    ("Tus-Version", TUS_VERSION),
    ("Tus-Extension", "creation"),
    ("Tus-Extension", "checksum"),
    ("Tus-Checksum-Algorithm", "sha256"),
)


def missing_support(headers: Mapping[str, str]) -> list[str]:
    """What an OPTIONS answer lacks of what we need, as ``header: value`` strings."""
    missing = []
    for header, value in _NEEDED:
        offered = {item.strip().lower() for item in headers.get(header, "").split(",")}
        if value not in offered:
            missing.append(f"{header}: {value}")
    return missing


class ChunkPayload(Payload):
    """One PATCH body, handed to the socket in 1 MiB slices of the same buffer: no copy
    (aiohttp's BytesIO payload copies it) and no event-loop yield per 64 KiB."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data, content_type=OFFSET_CONTENT_TYPE)
        self._size = len(data)

    async def write(self, writer: AbstractStreamWriter) -> None:
        view = memoryview(self._value)
        for start in range(0, len(view), _SLICE):
            if start:
                failpoints.hit(failpoints.MID_PATCH)
            await writer.write(view[start : start + _SLICE])

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a PATCH body is bytes, not text")


class TusClient:
    def __init__(self, api: ServerApi) -> None:
        self._api = api
        self._server_checked = False

    async def _check_server(self) -> None:
        """Once per client (again after a refusal: the server may be upgraded meanwhile)."""
        if self._server_checked:
            return
        url = self._api.url(FILES)
        reply = await self._api.send("OPTIONS", url, authenticated=False)
        missing = missing_support(reply.headers)
        if missing:
            message = f"{url} does not offer {', '.join(missing)}; nothing is uploaded to it"
            log.error("tus server refused: %s", message)
            raise ChecksumUnsupported(message)
        self._server_checked = True

    async def _send(
        self, method: str, url: str, headers: dict[str, str], body: Payload | None = None
    ) -> Reply:
        await self._check_server()
        reply = await self._api.send(
            method, url, headers={"Tus-Resumable": TUS_VERSION, **headers}, body=body
        )
        if reply.headers.get("Tus-Resumable") != TUS_VERSION:
            raise Unavailable(f"{method} {url}: the server did not answer as tus {TUS_VERSION}")
        return reply

    def _offset(self, reply: Reply) -> int:
        try:
            return parse_size("Upload-Offset", reply.headers.get("Upload-Offset"))
        except Exception as exc:
            raise Unavailable(f"the server sent no usable Upload-Offset: {exc}") from exc

    async def create(self, length: int, metadata: dict[str, str]) -> str:
        headers = {"Upload-Length": str(length), "Upload-Metadata": encode_metadata(dict(metadata))}
        reply = await self._send("POST", self._api.url(FILES), headers)
        location = reply.headers.get("Location")
        if reply.status != 201 or not location:
            raise Unavailable(f"upload creation answered {reply.status} without a Location")
        url = urljoin(self._api.url(FILES), location)
        if urlsplit(url).netloc != urlsplit(self._api.base_url).netloc:
            raise Unavailable(f"the server sent an upload to another host: {url}")
        return url

    async def offset(self, url: str, length: int) -> int:
        reply = await self._send("HEAD", url, {})
        if reply.headers.get("Upload-Length") != str(length):
            raise Unavailable(
                f"{url} has Upload-Length {reply.headers.get('Upload-Length')}, not {length}"
            )
        return self._offset(reply)

    async def patch(self, url: str, offset: int, data: bytes, sha256: bytes) -> int:
        headers = {
            "Content-Type": OFFSET_CONTENT_TYPE,
            "Upload-Offset": str(offset),
            "Upload-Checksum": format_checksum("sha256", sha256),
        }
        reply = await self._send("PATCH", url, headers, ChunkPayload(data))
        new_offset = self._offset(reply)
        if reply.status != 204 or new_offset != offset + len(data):
            raise Unavailable(
                f"PATCH at {offset} of {len(data)} bytes came back with offset {new_offset}"
            )
        return new_offset
