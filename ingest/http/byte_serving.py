"""Serving one stored object's bytes: the whole, or one HTTP range, with ``Accept-Ranges``,
``Content-Length``, ``Content-Range`` and a strong ETag (its SHA-256), so a browser plays
a review copy and seeks in it. The access is logged (``log``) after the range is known
and before the response starts; ``HEAD`` logs nothing of its own and sends no body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import aclosing

from aiohttp import web

from evidence.errors import RangeNotSatisfiable
from evidence.tlog.leaf_events import AccessAction
from ingest.http.middleware import error_response
from ingest.retrieval.byte_ranges import ByteRange, chosen_range
from ingest.retrieval.retrieval import Retrieval, Target

__all__ = ["serve"]

LOG_INDEX_HEADER = "Liuhen-Log-Index"


def _headers(target: Target, action: AccessAction, chosen: ByteRange) -> dict[str, str]:
    disposition = "attachment" if action is AccessAction.DOWNLOAD else "inline"
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": target.etag,
        "Content-Type": target.content_type,
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{target.stored.sha256.hex}",
        "Cache-Control": "private, no-store",  # no copy outside the supervised path
    }
    if chosen.partial:
        headers["Content-Range"] = chosen.content_range
    return headers


async def serve(
    request: web.Request,
    retrieval: Retrieval,
    target: Target,
    action: AccessAction,
    log: Callable[[Target], Awaitable[int]],
) -> web.StreamResponse:
    etag = target.etag
    try:
        chosen = chosen_range(
            request.headers.get("Range"), target.size, request.headers.get("If-Range"), etag
        )
    except RangeNotSatisfiable as exc:
        refused = error_response(exc, request)
        refused.headers["Content-Range"] = f"bytes */{target.size}"
        return refused
    if request.method == "HEAD":
        headers = {**_headers(target, action, chosen), "Content-Length": str(chosen.length)}
        return web.Response(status=206 if chosen.partial else 200, headers=headers)
    index = await log(target)
    response = web.StreamResponse(
        status=206 if chosen.partial else 200, headers=_headers(target, action, chosen)
    )
    response.headers[LOG_INDEX_HEADER] = str(index)
    response.content_length = chosen.length
    await response.prepare(request)
    async with aclosing(retrieval.read(target, chosen.start, chosen.length)) as blocks:
        async for block in blocks:
            await response.write(block)
    await response.write_eof()
    return response
