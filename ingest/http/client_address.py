"""Who is asking: the address a request came from, for the sign-in throttle's per-address
count. Behind a load balancer every request comes from the balancer, so one person's
failures would lock out everyone; a balancer named in ``server.trusted_proxies`` is taken
at its word, and the address is the last one in ``X-Forwarded-For`` that no trusted proxy
added. From anyone else the header is ignored: a client cannot choose its own address."""

from __future__ import annotations

from aiohttp import web

__all__ = ["TRUSTED_PROXIES", "client_address"]

TRUSTED_PROXIES = web.AppKey("liuhen_trusted_proxies", frozenset)


def client_address(request: web.Request) -> str:
    peer = request.remote or "unknown"
    trusted: frozenset[str] = request.app.get(TRUSTED_PROXIES, frozenset())
    if peer not in trusted:
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getall("X-Forwarded-For", [])
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer
