"""``X-HTTP-Method-Override`` (tus 1.0 core, a MUST): a POST that carries it is handled as
the method it names, for clients behind proxies that let only GET and POST through.
Only at ``/files/``: the rest of the API is not tus, and a POST there stays a POST.

aiohttp routes a request before any middleware runs, so a POST to ``/files/<id>`` has
already been matched to "405 method not allowed". This middleware, the innermost, routes
the request again under the named method and calls that route's handler; the outer
middlewares (tus headers, errors as JSON) wrap it as they wrap any request.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from evidence.errors import MalformedHeader
from evidence.wire import FILES

__all__ = ["OVERRIDE_HEADER", "method_override_middleware"]

OVERRIDE_HEADER = "X-HTTP-Method-Override"

_METHOD = re.compile(r"[A-Z]{1,16}")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def method_override_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    named = request.headers.get(OVERRIDE_HEADER)
    if request.method != "POST" or named is None or not request.path.startswith(FILES):
        return await handler(request)
    method = named.strip().upper()
    if not _METHOD.fullmatch(method):
        raise MalformedHeader(f"{OVERRIDE_HEADER} must name an HTTP method", header=OVERRIDE_HEADER)
    routed = request.clone(method=method)
    match = await request.app.router.resolve(routed)
    match.add_app(request.app)
    match.freeze()
    # aiohttp sets a request's route only inside Application._handle; this is that step.
    routed._match_info = match
    return await match.handler(routed)
