"""The aiohttp application: middlewares, every route, the expiry sweeper's task and, with
``server.mqtt.enabled``, the fleet's subscription and watch, over services built once
(``ingest.wiring``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version

from aiohttp import web

from evidence.wire import HEALTH
from ingest.http.bodies import BODY_READ_TIMEOUT
from ingest.http.client_address import TRUSTED_PROXIES
from ingest.http.compliance import add_compliance_routes
from ingest.http.console_routes import add_console_routes
from ingest.http.custody_log import add_log_routes
from ingest.http.devices import add_device_routes
from ingest.http.flags import add_flag_routes
from ingest.http.fleet import add_fleet_routes
from ingest.http.holds import add_hold_routes
from ingest.http.media import add_media_routes
from ingest.http.method_override import method_override_middleware
from ingest.http.middleware import error_middleware, tus_middleware
from ingest.http.people import add_people_routes
from ingest.http.recordings import add_recording_routes
from ingest.http.retrieval import add_retrieval_routes
from ingest.http.services import SERVICES, services
from ingest.http.transfer import add_transfer_routes
from ingest.http.tus import add_tus_routes
from ingest.wiring import Services

__all__ = ["SOFTWARE", "build_app"]

log = logging.getLogger(__name__)


def _software() -> str:
    try:
        return f"liuhen-ingest/{version('liuhen')}"
    except PackageNotFoundError:
        return "liuhen-ingest/unknown"


# Reported by /healthz: agents try held manifests again when it (or the key) changes.
SOFTWARE = _software()


async def health(request: web.Request) -> web.Response:
    server_key_id = services(request).server_key_id
    return web.json_response({"status": "ok", "server_key_id": server_key_id, "software": SOFTWARE})


async def _background(app: web.Application) -> AsyncIterator[None]:
    """The server's loops: the expiry sweeper, the custody log's checkpoints and the
    fixity audit."""
    built = app[SERVICES]
    tasks = [
        asyncio.create_task(built.sweeper.run_forever(), name="upload-sweeper"),
        asyncio.create_task(built.checkpoints.run_forever(), name="log-checkpoints"),
        asyncio.create_task(built.fixity.run_forever(), name="fixity-audit"),
    ]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _fleet(app: web.Application) -> AsyncIterator[None]:
    """With ``server.mqtt.enabled``: the subscription and its watch, for the app's life."""
    room = app[SERVICES].fleet_room
    if room is None:
        yield
        return
    tasks = {
        asyncio.create_task(room.link.run_forever(), name="fleet-link"),
        asyncio.create_task(room.watch.run_forever(), name="fleet-watch"),
    }
    yield
    await _stopped(tasks)


async def _stopped(tasks: set[asyncio.Task[None]]) -> None:
    """Cancel until they end: Python 3.11's wait_for (inside aiomqtt) can swallow a
    cancellation that lands as the awaited future completes, and the server must stop."""
    for _ in range(5):
        for task in tasks:
            task.cancel()
        _, tasks = await asyncio.wait(tasks, timeout=2)
        if not tasks:
            return
    log.warning("fleet: %s did not stop", ", ".join(task.get_name() for task in tasks))


def build_app(
    built: Services, body_read_timeout: float = 60.0, trusted_proxies: frozenset[str] = frozenset()
) -> web.Application:
    """``body_read_timeout``: server.body_read_timeout_seconds (``http/bodies.py``);
    ``trusted_proxies``: server.trusted_proxies (``http/client_address.py``)."""
    # Outermost first; the method override is innermost, so it sees the routed handler.
    middlewares = [tus_middleware, error_middleware, method_override_middleware]
    app = web.Application(middlewares=middlewares)
    app[SERVICES] = built
    app[BODY_READ_TIMEOUT] = body_read_timeout
    app[TRUSTED_PROXIES] = trusted_proxies
    app.router.add_get(HEALTH, health)
    add_tus_routes(app)
    add_device_routes(app)
    add_people_routes(app)
    add_recording_routes(app)
    add_flag_routes(app)
    add_media_routes(app)
    add_compliance_routes(app)
    add_log_routes(app)
    add_retrieval_routes(app)
    add_fleet_routes(app)
    add_transfer_routes(app)
    add_hold_routes(app)
    add_console_routes(app)
    app.cleanup_ctx.append(_background)
    app.cleanup_ctx.append(_fleet)
    return app
