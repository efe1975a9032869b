"""Middlewares every request passes: errors as JSON with their stable codes, and the tus
headers on every answer under /files/."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from evidence.errors import LiuhenError, PreconditionFailed
from evidence.tus_wire import TUS_VERSION
from evidence.wire import FILES
from ingest.uploads.rules import check_version

__all__ = ["error_middleware", "error_response", "tus_middleware"]

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
