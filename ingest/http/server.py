"""Run the ingest server: until a signal (``serve``), or for the life of a block (``running``)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from ingest.http.app import build_app
from ingest.server_config import IngestConfig
from ingest.startup import IngestServer

__all__ = ["app_runner", "running", "serve"]

log = logging.getLogger(__name__)


def _ssl_context(config: IngestConfig) -> ssl.SSLContext | None:
    if config.tls_certificate is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(config.tls_certificate, config.tls_private_key)
    return context


def app_runner(app: web.Application) -> web.AppRunner:
    """The runner the server uses (the benchmarks' server too, ``bench/raw_put_server.py``).
    lingering_time: after refusing a request early, read at most 1 s more of its body (so
    an honest client gets to read the answer) instead of aiohttp's 10 s. read_bufsize:
    buffer up to 2 MiB of a body per connection (aiohttp's default is 128 KiB), so uploads
    pause the socket less often; memory stays bounded."""
    return web.AppRunner(app, access_log=None, lingering_time=1.0, read_bufsize=1024 * 1024)


@asynccontextmanager
async def running(server: IngestServer, host: str, port: int) -> AsyncIterator[str]:
    """Serve ``server`` while the block runs; yield the base URL (port 0 picks a free port)."""
    config = server.config
    app = build_app(
        server.services, config.body_read_timeout_seconds, frozenset(config.trusted_proxies)
    )
    runner = app_runner(app)
    await runner.setup()
    tls = _ssl_context(server.config)
    site = web.TCPSite(runner, host, port, ssl_context=tls)
    await site.start()
    listening = site._server  # aiohttp has no public accessor for the bound port
    if not isinstance(listening, asyncio.Server):
        raise RuntimeError("aiohttp did not start a TCP server")
    bound_port = listening.sockets[0].getsockname()[1]
    base_url = f"{'https' if tls else 'http'}://{host}:{bound_port}"
    log.info("ingest server listening on %s", base_url)
    try:
        yield base_url
    finally:
        await runner.cleanup()


async def serve(server: IngestServer) -> None:
    if os.geteuid() == 0:
        log.warning(
            "running as root: run the server as its own unprivileged user, the owner of %s "
            "(docs/threat-model.md)",
            server.config.data_dir,
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running(server, server.config.host, server.config.port):
        await stop.wait()
    log.info("ingest server stopped")
