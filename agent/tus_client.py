"""A strict tus 1.0 client: every request names the version, every answer is checked
(status, Tus-Resumable, offsets).

A PATCH that is exactly one whole chunk of the manifest carries Upload-Checksum (the
chunk's signed digest), as does the rest of a chunk sent after a resume mid-chunk (its own
digest). A PATCH of several chunks (``agent.patch_chunks``) carries none: the server
checks each of its chunks against the manifest's signed chunk list as it arrives, which is
stronger, and keeps what arrived of a body that is cut off instead of throwing it away.

Before its first request the client reads the server's OPTIONS (again whenever the server
changes) and refuses to send anything unless the server speaks tus 1.0.0 with the
creation and checksum extensions and sha256: a server that ignored Upload-Checksum would
silently drop the per-chunk check of single-chunk PATCHes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import urljoin, urlsplit

from aiohttp.payload import Payload

from agent.patch_body import ChunkPayload, FileSpanPayload, ReadAhead
from agent.server_api import Reply, ServerApi
from agent.throttle import Throttle
from evidence.errors import (
    AlreadyFinalized,
    ChecksumUnsupported,
    Gone,
    LiuhenError,
    NotFound,
    Unavailable,
    UploadRejected,
)
from evidence.tus_wire import (
    BUSY_HEADER,
    OFFSET_CONTENT_TYPE,
    TUS_VERSION,
    encode_metadata,
    format_checksum,
    parse_size,
)
from evidence.wire import FILES

__all__ = ["TusClient", "missing_support"]

log = logging.getLogger(__name__)

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


class TusClient:
    def __init__(
        self, api: ServerApi, throttle: Throttle | None = None, stall_seconds: float | None = None
    ) -> None:
        self._api = api
        self._throttle = throttle
        self._stall = stall_seconds  # a PATCH body that stops moving is given up after it
        self._server_checked = False

    def server_changed(self) -> None:
        """The server's ``/healthz`` names other software or another key: read its OPTIONS
        again before the next request, since what it offers may have changed too."""
        self._server_checked = False

    async def _check_server(self) -> None:
        """Once per server (again after a refusal: the server may be upgraded meanwhile,
        and after ``server_changed``)."""
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
        return (await self.where(url, length))[0]

    async def where(self, url: str, length: int) -> tuple[int, bool]:
        """The upload's committed offset, and whether a request still holds it (a PATCH
        of ours given up while its body was on its way, which the server may yet take)."""
        reply = await self._send("HEAD", url, {})
        if reply.headers.get("Upload-Length") != str(length):
            raise Unavailable(
                f"{url} has Upload-Length {reply.headers.get('Upload-Length')}, not {length}"
            )
        return self._offset(reply), reply.headers.get(BUSY_HEADER) == "1"

    async def patch(
        self,
        url: str,
        offset: int,
        data: bytes,
        sha256: bytes,
        on_sent: Callable[[int], Awaitable[None]] | None = None,
    ) -> int:
        """PATCH ``data`` (at most one chunk, held in memory) at ``offset``."""
        body = ChunkPayload(data, self._throttle, on_sent, self._stall)
        return await self._patch(url, offset, body, sha256)

    async def patch_span(
        self,
        url: str,
        offset: int,
        file: ReadAhead,
        size: int,
        sha256: bytes | None,
        on_sent: Callable[[int], Awaitable[None]] | None = None,
    ) -> int:
        """PATCH ``size`` bytes of ``file`` from ``offset``, read as they go; ``sha256``
        only for a body that is one whole chunk."""
        body = FileSpanPayload(file, offset, size, self._throttle, on_sent, self._stall)
        return await self._patch(url, offset, body, sha256)

    async def _patch(
        self, url: str, offset: int, body: ChunkPayload | FileSpanPayload, sha256: bytes | None
    ) -> int:
        headers = {"Content-Type": OFFSET_CONTENT_TYPE, "Upload-Offset": str(offset)}
        if sha256 is not None:
            headers["Upload-Checksum"] = format_checksum("sha256", sha256)
        try:
            reply = await self._send("PATCH", url, headers, body)
        except LiuhenError as exc:
            if body.failure is not None:  # the file, not the link, stopped the body
                raise body.failure from exc
            raise
        new_offset, size = self._offset(reply), body.size
        if reply.status != 204 or new_offset != offset + (size or 0):
            raise Unavailable(
                f"PATCH at {offset} of {size} bytes came back with offset {new_offset}"
            )
        return new_offset

    async def terminate(self, url: str) -> None:
        """End an upload the server holds open (tus termination), so that the next
        creation starts afresh. One it no longer holds, or has finalized or rejected,
        is left as it is."""
        try:
            await self._send("DELETE", url, {})
        except (NotFound, Gone, AlreadyFinalized, UploadRejected) as exc:
            log.info("upload %s not terminated: %s", url, exc.code)
