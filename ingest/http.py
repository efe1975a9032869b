"""HTTP plumbing shared by all handlers: errors as JSON with stable codes, tus headers,
media types, bounded body reading."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import StreamReader, web
from aiohttp.http_exceptions import HttpProcessingError

from evidence.errors import (
    LiuhenError,
    MalformedBody,
    PreconditionFailed,
    TooLarge,
    UnsupportedMediaType,
)
from evidence.private_files import PRIVATE_FILE
from evidence.strict_json import loads_object
from evidence.tus_wire import TUS_VERSION
from evidence.wire import FILES
from ingest.tus_rules import check_version

__all__ = [
    "error_middleware",
    "error_response",
    "read_bounded",
    "read_json",
    "require_content_type",
    "save_body",
    "tus_middleware",
]

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def error_response(error: LiuhenError, request: web.Request) -> web.Response:
    response = web.json_response(error.to_json(), status=error.status)
    if not request.content.is_eof():
        response.force_close()  # a refused body is not worth keeping the connection for
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except LiuhenError as exc:
        if exc.status >= 500:
            log.error("%s %s failed: %s", request.method, request.path, exc.message)
        return error_response(exc, request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, f"http_{exc.status}")
        body = {"error": {"code": code, "message": exc.reason}}
        return web.json_response(body, status=exc.status, headers=_allow(exc))


def _allow(exc: web.HTTPException) -> dict[str, str]:
    allow = exc.headers.get("Allow")
    return {"Allow": allow} if allow else {}


@web.middleware
async def tus_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every tus request but OPTIONS names the protocol version; every answer carries it."""
    if not request.path.startswith(FILES):
        return await handler(request)
    try:
        if request.method != "OPTIONS":
            check_version(request.headers)
        response = await handler(request)
    except PreconditionFailed as exc:  # the client speaks another version: say which we do
        response = error_response(exc, request)
        response.headers["Tus-Version"] = TUS_VERSION
    except LiuhenError as exc:
        response = error_response(exc, request)
    response.headers["Tus-Resumable"] = TUS_VERSION
    return response


JSON = "application/json"
_UTF8 = ("", "utf-8", "utf8")


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


async def body_chunks(content: StreamReader) -> AsyncIterator[bytes]:
    """A body's chunks as aiohttp buffered them (never re-joined). An empty body yields
    nothing: aiohttp hands every bodiless request one shared ``EmptyStreamReader``, whose
    chunk iterator ends only the first time it is used in a process and afterwards answers
    ``(b"", True)`` for ever, so a second empty body would spin the event loop."""
    if content.at_eof():
        return
    async for data, _ in content.iter_chunks():
        if data:
            yield data


async def _blocks(request: web.Request, limit: int, what: str) -> AsyncIterator[bytes]:
    """A body's blocks as they arrive, to its very end (one read returns only what has
    arrived so far). Refuses more than ``limit`` bytes, declared or not, and a body that
    ends before its Content-Length (the client went away): it is never taken as whole."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise TooLarge(f"{what} is {declared} bytes; the limit is {limit}")
    received = 0
    try:
        async for data in body_chunks(request.content):
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
