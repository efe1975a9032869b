"""When is a PATCH body stalled (``agent/stall.py``)? Real TCP sockets on 127.0.0.1: a
reader that keeps reading slowly is progress, however long the kernel waits before it
says the socket is writable again; a reader that stops is a stall, and the connection is
dropped, not left to trickle on. The whole agent against a frozen link is
tests/faults/test_network_scenarios.py."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import pytest

from agent.net_errors import SendStalled
from agent.stall import unacknowledged, write_watched

MIB = 1024 * 1024


class Writer:
    """aiohttp's writer, as the payload sees it: an awaitable write, and its transport."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.transport = writer.transport
        self._writer = writer

    async def write(self, data: memoryview) -> None:
        self._writer.write(data)
        await self._writer.drain()


@pytest.fixture
async def reader_speed() -> AsyncIterator[dict]:
    """A server reading 64 KiB every ``pause`` seconds (None: nothing until ``go``, then
    all there is)."""
    state: dict = {"pause": 0.05, "received": 0, "go": asyncio.Event()}

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if state["pause"] is None:
            await state["go"].wait()
        try:
            while data := await reader.read(64 * 1024):
                state["received"] += len(data)
                await asyncio.sleep(state["pause"] or 0)
        except ConnectionError:
            pass
        finally:
            state["go"].set()
            writer.close()

    listening = socket.socket()
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)  # a small window
    listening.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(serve, sock=listening)
    state["port"] = server.sockets[0].getsockname()[1]
    async with server:
        yield state


async def connect(port: int) -> Writer:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, MIB)  # a large send buffer
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    _, writer = await asyncio.open_connection(sock=sock)
    return Writer(writer)


async def test_a_slow_reader_that_keeps_reading_is_no_stall(reader_speed):
    """About 1.3 MB/s: the kernel goes quiet for longer than the stall time between its
    'writable' signals (a third of a 2 MiB buffer), yet bytes leave all the time. Found by
    the chaos run, where the agent took that silence for a stall on a slow link."""
    writer = await connect(reader_speed["port"])
    body = memoryview(bytes(6 * MIB))
    for start in range(0, len(body), MIB):
        await write_watched(writer, body[start : start + MIB], stall=0.3)
    assert unacknowledged(writer.transport) <= len(body)
    writer.transport.close()


async def test_a_reader_that_stops_is_a_stall_and_the_connection_is_dropped(reader_speed):
    reader_speed["pause"] = None
    writer = await connect(reader_speed["port"])
    body = memoryview(bytes(8 * MIB))
    started = time.monotonic()
    with pytest.raises(SendStalled, match=r"stopped moving for 0\.3 s"):
        for start in range(0, len(body), MIB):
            await write_watched(writer, body[start : start + MIB], stall=0.3)
    assert time.monotonic() - started < 3
    # Dropped: what asyncio still held is discarded, not flushed for as long as the link
    # takes (a server would hold the upload while it trickled in).
    assert writer.transport.is_closing()
    assert writer.transport.get_write_buffer_size() == 0
    reader_speed["go"].set()
