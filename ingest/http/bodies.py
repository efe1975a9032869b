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


class _IdleWatch:
    """Gives up a body read that brings nothing for ``idle`` seconds. One timer per idle
    period, looked at when it fires, rather than one per read (``asyncio.timeout``: about
    3.5 µs a read, and an 8 MiB PATCH is a hundred reads or more): a read only notes when
    it began."""

    def __init__(self, idle: float) -> None:
        self.loop = asyncio.get_running_loop()
        self.task = asyncio.current_task()
        self.idle = idle
        self.since = self.loop.time()  # the read under way began
        self.reading = False
        self.expired = False
        self._handle = self.loop.call_at(self.since + idle, self._check)

    def _check(self) -> None:
        if self.task is None or self.task.done():
            return
        now = self.loop.time()
        due = self.since + self.idle if self.reading else now + self.idle
        if now < due:
            self._handle = self.loop.call_at(due, self._check)
            return
        self.expired = True
        self.task.cancel()

    def close(self) -> None:
        self._handle.cancel()


async def body_chunks(request: web.Request) -> AsyncIterator[bytes]:
    """A body's chunks as aiohttp buffered them (never re-joined), each awaited at most the
    idle timeout. An empty body yields nothing: aiohttp hands every bodiless request one
    shared ``EmptyStreamReader``, whose chunk iterator ends only the first time it is used
    in a process and afterwards answers ``(b"", True)`` for ever, so a second empty body
    would spin the event loop."""
    content = request.content
    if content.at_eof():
        return
    watch = _IdleWatch(request.app.get(BODY_READ_TIMEOUT, _DEFAULT_BODY_READ_TIMEOUT))
    try:
        while True:
            data, end = await _next_chunk(request, content, watch)
            if not data and not end:
                return  # the end of the body (aiohttp's iter_chunks stops here too)
            if data:
                yield data
    finally:
        watch.close()


async def _next_chunk(
    request: web.Request, content: StreamReader, watch: _IdleWatch
) -> tuple[bytes, bool]:
    watch.since, watch.reading = watch.loop.time(), True
    try:
        return await content.readchunk()
    except asyncio.CancelledError:
        if not watch.expired or watch.task is None or watch.task.uncancel():
            raise  # not ours, or cancelled by someone else too
    finally:
        watch.reading = False
    # Stop reading: drop the connection, so nothing more of this body is taken.
    if request.transport is not None:
        request.transport.close()
    log.info(
        "%s %s: no byte of the body for %g s; connection closed",
        request.method,
        request.path,
        watch.idle,
    )
    raise BodyStalled(f"no byte of the body for {watch.idle:g} s")


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
