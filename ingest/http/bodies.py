"""Request bodies: read whole when small and bounded, streamed to a file when large, or
handed on as an async iterator of bytes (a tus PATCH), so nothing past this room needs
aiohttp's stream; and the media types the protocol names for each.

Every body is read with an idle timeout (``server.body_read_timeout_seconds``): a body
that brings no byte for that long is given up as if the client had gone (the connection
is closed, ``BodyStalled``, a ``ConnectionError``). A half-open link would otherwise hold
the request, and a PATCH's upload lock, until TCP keepalive noticed, hours later or never.
A PATCH keeps the durable bytes that came before, and the lock is released for the
client's resumed PATCH. The timer counts idleness, not the whole body: a slow link that
keeps moving is never cut.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import StreamReader, web
from aiohttp.http_exceptions import HttpProcessingError

from evidence.errors import MalformedBody, TooLarge, UnsupportedMediaType
from evidence.strict_json import loads_object
from runtime.private_files import PRIVATE_FILE

__all__ = [
    "BODY_READ_TIMEOUT",
    "JSON",
    "BodyStalled",
    "body_chunks",
    "read_bounded",
    "read_json",
    "require_content_type",
    "save_body",
]

log = logging.getLogger(__name__)

JSON = "application/json"
_UTF8 = ("", "utf-8", "utf8")
# server.body_read_timeout_seconds, kept on the application (``http/app.py``).
BODY_READ_TIMEOUT = web.AppKey("liuhen_body_read_timeout", float)
_DEFAULT_BODY_READ_TIMEOUT = 60.0


class BodyStalled(ConnectionError):
    """No byte of the body for the idle timeout: taken as a client gone away."""


def require_content_type(request: web.Request, what: str, *accepted: str) -> None:
    """Refuse a body whose Content-Type is not one the protocol names for it (a trailing
    ``/*`` accepts a whole family); a named charset must be UTF-8."""
    media_type = request.content_type  # lower case, without parameters
    family = media_type.split("/", 1)[0] + "/*"
    if media_type not in accepted and family not in accepted:
        raise UnsupportedMediaType(
            f"send {what} as Content-Type: {' or '.join(accepted)}", accepted=list(accepted)
        )
    if (request.charset or "").lower() not in _UTF8:
        raise UnsupportedMediaType(f"send {what} in UTF-8, not {request.charset}")


async def body_chunks(request: web.Request) -> AsyncIterator[bytes]:
    """A body's chunks as aiohttp buffered them (never re-joined), each awaited at most the
    idle timeout. An empty body yields nothing: aiohttp hands every bodiless request one
    shared ``EmptyStreamReader``, whose chunk iterator ends only the first time it is used
    in a process and afterwards answers ``(b"", True)`` for ever, so a second empty body
    would spin the event loop."""
    content = request.content
    if content.at_eof():
        return
    idle = request.app.get(BODY_READ_TIMEOUT, _DEFAULT_BODY_READ_TIMEOUT)
    while True:
        data, end = await _next_chunk(request, content, idle)
        if not data and not end:
            return  # the end of the body (aiohttp's iter_chunks stops here too)
        if data:
            yield data


async def _next_chunk(
    request: web.Request, content: StreamReader, idle: float
) -> tuple[bytes, bool]:
    try:
        async with asyncio.timeout(idle):
            return await content.readchunk()
    except TimeoutError:
        pass
    # Stop reading: drop the connection, so nothing more of this body is taken.
    if request.transport is not None:
        request.transport.close()
    log.info(
        "%s %s: no byte of the body for %g s; connection closed", request.method, request.path, idle
    )
    raise BodyStalled(f"no byte of the body for {idle:g} s")


async def _blocks(request: web.Request, limit: int, what: str) -> AsyncIterator[bytes]:
    """A body's blocks as they arrive, to its very end (one read returns only what has
    arrived so far). Refuses more than ``limit`` bytes, declared or not, and a body that
    ends before its Content-Length (the client went away): it is never taken as whole."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise TooLarge(f"{what} is {declared} bytes; the limit is {limit}")
    received = 0
    try:
        async for data in body_chunks(request):
            received += len(data)
            if received > limit:
                raise TooLarge(f"{what} exceeds the limit of {limit} bytes")
            yield data
    except (ConnectionError, HttpProcessingError) as exc:
        raise MalformedBody(f"{what} ended before its end: {exc}") from None
    if declared is not None and received != declared:
        raise MalformedBody(f"{what} is {received} bytes, not the {declared} declared")


async def read_bounded(request: web.Request, limit: int, what: str) -> bytes:
    """Read a whole small body into memory."""
    return b"".join([data async for data in _blocks(request, limit, what)])


async def save_body(request: web.Request, path: Path, limit: int, what: str) -> int:
    """Stream a large body to a new file ``path``, readable by the service user only
    whatever the umask (bounded memory); return its size."""
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # os.open's mode passes through the umask
    with os.fdopen(fd, "wb") as out:
        async for data in _blocks(request, limit, what):
            written += len(data)
            out.write(data)
    return written


async def read_json(request: web.Request, limit: int = 64 * 1024) -> dict[str, Any]:
    require_content_type(request, "the request body", JSON)
    return loads_object(
        await read_bounded(request, limit, "request body"), MalformedBody, "request body"
    )
