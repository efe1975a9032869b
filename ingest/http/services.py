"""Where handlers find the services: built once at start (``ingest.wiring``), kept on the
application under one key."""

from __future__ import annotations

from aiohttp import web

from ingest.wiring import Services

__all__ = ["SERVICES", "services"]

SERVICES = web.AppKey("liuhen_services", Services)


def services(request: web.Request) -> Services:
    return request.app[SERVICES]
