"""One client connection through the fault proxy, and the one it opened to the server.

Each direction is a pump: a reader that takes bytes off one socket and a writer that puts
them on the other after the link's delay, in pieces no larger than its burst, at no more
than its rate. Between them sits a short queue (at most ``_QUEUED`` reads), the router's
buffer: memory stays bounded, and a stalled writer soon stalls the reader, so the
sender's socket fills as it would on a frozen link. On a link with a rate the reads are
smaller, so the queue holds about a quarter of a second of it, not a megabyte: a slow
link's buffers are small, and bytes a sender thinks sent are soon delivered.

A relay can be cut (both sockets closed, FIN), reset (both sockets closed with RST:
SO_LINGER 0), frozen (nothing forwarded either way, both sockets kept open: half-open,
as a dead link looks to both ends until a timeout) and thawed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass

from liuhen.faults.http_meter import HttpTally, RequestMeter, ResponseMeter

__all__ = ["DOWN", "UP", "Cut", "Forwarded", "Link", "Pace", "Relay"]

_READ_SIZE = 64 * 1024
_QUEUED = 16


@dataclass(frozen=True, slots=True)
class Link:
    """How one direction forwards. The defaults forward at once, whole reads."""

    burst: int | None = None  # forward at most this many bytes at a time...
    pause: float = 0.0  # ...and wait this long after each piece
    latency: float = 0.0  # seconds each byte takes to cross (reads overlap: it is a delay)
    jitter: float = 0.0  # up to this many seconds more, at random (order is kept)
    rate: float | None = None  # bytes per second, for all connections in this direction


class Pace:
    """A bandwidth cap shared by every connection in one direction: each piece goes when
    the link would have finished sending everything before it."""

    def __init__(self) -> None:
        self._free_at = 0.0

    async def take(self, size: int, rate: float | None) -> None:
        if rate is None:
            return
        now = asyncio.get_running_loop().time()
        self._free_at = max(now, self._free_at) + size / rate
        await asyncio.sleep(self._free_at - now)


@dataclass(frozen=True, slots=True)
class Cut:
    """Pass ``allowed`` bytes more of the piece in hand, then close the relay (with a
    reset), or freeze it (the rest of the piece waits for a thaw)."""

    allowed: int
    how: str  # "close", "reset" or "freeze"


# A direction's counter: told how many bytes are about to be forwarded, it returns the
# proxy's pending cut if they reach it.
Forwarded = Callable[[int], Cut | None]
UP, DOWN = 0, 1


def _read_size(link: Link) -> int:
    if link.rate is None:
        return _READ_SIZE
    return max(512, min(_READ_SIZE, int(link.rate / 4 / _QUEUED)))


def _rst(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class Relay:
    def __init__(
        self,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        links: Callable[[bool], Link],
        paces: tuple[Pace, Pace],
        counters: tuple[Forwarded, Forwarded],
        tally: HttpTally,
    ) -> None:
        self._client = client
        self._server: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._links = links  # upstream (True) or downstream (False): the link in force now
        self._paces = paces
        self._counters = counters
        self._requests = RequestMeter(tally)
        self._responses = ResponseMeter(tally, self._requests)
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.ended = False
        self._closed = asyncio.Event()

    async def run(self, target: tuple[str, int]) -> None:
        """Relay until both directions end or the relay is cut."""
        try:
            self._server = await asyncio.open_connection(*target)
        except OSError:
            _rst(self._client[1])  # the server is down: so is the connection
            return
        try:
            await asyncio.gather(
                self._pump(self._client[0], self._server[1], upstream=True),
                self._pump(self._server[0], self._client[1], upstream=False),
            )
        finally:
            self.close()
            # Hear each socket's end, or asyncio reports a failed close nobody asked after.
            await asyncio.gather(
                *(writer.wait_closed() for writer in self._writers()), return_exceptions=True
            )

    async def hold(self) -> None:
        """A blackholed connection: accepted, never forwarded, kept open until cut."""
        self.flowing.clear()
        await self._closed.wait()

    def close(self, *, reset: bool = False) -> None:
        if self.ended:
            return
        self.ended = True
        self._closed.set()
        self.flowing.set()  # wake the pumps, which find the sockets gone
        for writer in self._writers():
            if reset:
                _rst(writer)
            else:
                writer.close()

    def freeze(self) -> None:
        self.flowing.clear()

    def thaw(self) -> None:
        self.flowing.set()

    def _writers(self) -> list[asyncio.StreamWriter]:
        return [self._client[1]] + ([self._server[1]] if self._server else [])

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, upstream: bool
    ) -> None:
        line: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue(_QUEUED)
        reader = asyncio.create_task(self._take(source, line, upstream))
        try:
            await self._deliver(line, sink, upstream)
        except (ConnectionError, OSError):
            self.close(reset=True)  # a reset on one side is a reset on the other
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _take(
        self,
        source: asyncio.StreamReader,
        line: asyncio.Queue[tuple[float, bytes] | None],
        upstream: bool,
    ) -> None:
        loop = asyncio.get_running_loop()
        due = 0.0
        try:
            while not self.ended:
                await self.flowing.wait()
                data = await source.read(_read_size(self._links(upstream)))
                if not data:
                    break
                link = self._links(upstream)
                delay = link.latency + (random.uniform(0, link.jitter) if link.jitter else 0.0)  # noqa: S311 - not for secrets
                due = max(due, loop.time() + delay)  # jitter never reorders the bytes
                await line.put((due, data))
        except (ConnectionError, OSError):
            self.close(reset=True)
        if self.ended:  # the deliverer stops by itself; wake it if it waits for more
            with contextlib.suppress(asyncio.QueueFull):
                line.put_nowait(None)
        else:
            await line.put(None)

    async def _deliver(
        self,
        line: asyncio.Queue[tuple[float, bytes] | None],
        sink: asyncio.StreamWriter,
        upstream: bool,
    ) -> None:
        loop = asyncio.get_running_loop()
        while not self.ended and (item := await line.get()) is not None:
            due, data = item
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            await self._forward(data, sink, upstream)
        if not self.ended and sink.can_write_eof():
            sink.write_eof()  # pass a half-close on

    async def _forward(self, data: bytes, sink: asyncio.StreamWriter, upstream: bool) -> None:
        link = self._links(upstream)
        side = UP if upstream else DOWN
        step = link.burst or len(data)
        if link.rate is not None:  # small pieces, so a slow link is smooth, not bursty
            step = min(step, max(512, int(link.rate / 20)))
        for start in range(0, len(data), step):
            piece = data[start : start + step]
            while piece:
                await self.flowing.wait()
                if self.ended:
                    return
                await self._paces[side].take(len(piece), link.rate)
                cut = self._counters[side](len(piece))
                sent = piece if cut is None else piece[: cut.allowed]
                sink.write(sent)
                (self._requests if upstream else self._responses).feed(sent)
                await sink.drain()
                piece = piece[len(sent) :]
                if cut is not None and cut.how == "freeze":
                    self.freeze()
                elif cut is not None:
                    self.close(reset=cut.how == "reset")
                    return
            if link.pause:
                await asyncio.sleep(link.pause)
