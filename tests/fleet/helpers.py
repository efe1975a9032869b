"""Helpers for the fleet tests: the fleet view and room sessions through the API, and
waiting for the server to have heard something."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from evidence.wire import FLAGS, FLEET, SESSIONS
from tests.conftest import Server

T = TypeVar("T")


async def until(check: Callable[[], Awaitable[T | None]], within: float = 20.0) -> T:
    """Ask ``check`` again until it answers something (not None, False or empty)."""
    deadline = time.monotonic() + within
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s")
        await asyncio.sleep(0.1)


async def fleet(server: Server, token: str) -> dict[str, Any]:
    reply = await server.send("GET", FLEET, token=token)
    assert reply.status == 200, reply.body
    shown: dict[str, Any] = reply.json()
    return shown


async def station(server: Server, token: str, device_id: str) -> dict[str, Any] | None:
    found = [s for s in (await fleet(server, token))["stations"] if s["device_id"] == device_id]
    return found[0] if found else None


def when_station(
    server: Server, token: str, device_id: str, ready: Callable[[dict[str, Any]], bool]
) -> Callable[[], Awaitable[dict[str, Any] | None]]:
    async def check() -> dict[str, Any] | None:
        shown = await station(server, token, device_id)
        return shown if shown is not None and ready(shown) else None

    return check


async def flags(server: Server, token: str, kind: str, *, open_: bool = True) -> list[Any]:
    state = "true" if open_ else "false"
    reply = await server.send("GET", FLAGS + f"?kind={kind}&open={state}", token=token)
    assert reply.status == 200, reply.body
    found: list[Any] = reply.json()["flags"]
    return found


async def sessions(server: Server, token: str, query: str = "") -> list[dict[str, Any]]:
    reply = await server.send("GET", SESSIONS + query, token=token)
    assert reply.status == 200, reply.body
    found: list[dict[str, Any]] = reply.json()["sessions"]
    return found
