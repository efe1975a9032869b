"""A TCP relay that puts a bad network between a client and a server, steered while it
runs: by the scenario tests (tests/faults/) and by the chaos run (bench/chaos.py).

It listens on 127.0.0.1 (a free port, kept for its life), opens one connection to the
target for each client connection, and forwards bytes both ways (liuhen/faults/relay.py).

Each direction follows its own ``Link``, which may be swapped at any time: pieces no
larger than a burst with a pause after each, latency and jitter, and a bandwidth cap
shared by every connection. Faults, each at once or in the background:

    cut(after=n)          the connection that carries the n+1-th byte from now is closed
                          both ways after n bytes (``reset=True``: with RST, SO_LINGER 0)
    cut_all()             every open connection, now (``reset=True`` likewise)
    freeze()              half-open: every open connection stops forwarding, both sockets
                          stay open until ``close`` (neither end hears a thing)
    freeze_after(n)       the same, once, for the connection that carries the n+1-th byte
    blackhole(True)       new connections too are accepted and held silent
    refuse(seconds)       the port refuses connections (ECONNREFUSED) for a while
    partition(seconds)    a route lost for a while: open connections stall, new ones are
                          refused; then everything flows again (TCP rides out a short one)

Counters: raw bytes each way (``bytes_to_server``, ``bytes_to_client``), connections,
and, read as HTTP (liuhen/faults/http_meter.py), requests and their body bytes by method
and answers by status (``http``).

    async with FaultProxy(server_url, to_server=Link(rate=20_000)) as proxy:
        ...  # talk to proxy.url instead of server_url
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from types import TracebackType
from urllib.parse import urlsplit

from liuhen.faults.http_meter import HttpTally
from liuhen.faults.relay import DOWN, UP, Cut, Link, Pace, Relay

__all__ = ["FaultProxy", "Link"]

_RECEIVE_BUFFER = 256 * 1024


def _target(url: str) -> tuple[str, int]:
    target = urlsplit(url)
    if target.hostname is None or target.port is None:
        raise ValueError(f"a target needs a host and a port: {url!r}")
    return target.hostname, target.port


class FaultProxy:
    def __init__(
        self, target_url: str, *, to_server: Link | None = None, to_client: Link | None = None
    ) -> None:
        self._target = _target(target_url)
        self._scheme = urlsplit(target_url).scheme or "http"
        self.to_server = to_server or Link()  # may be changed while connections are open
        self.to_client = to_client or Link()
        self.bytes_to_server = 0
        self.bytes_to_client = 0
        self.connections = 0
        self.http = HttpTally()
        self._port = 0
        self._listener: asyncio.Server | None = None
        self._held: socket.socket | None = None  # the port, bound and not listening
        self._refusing = 0  # refusals under way
        self._relays: set[Relay] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._paces = (Pace(), Pace())
        self._cut: tuple[int, int, str] | None = None  # direction, bytes left, how
        self._blackhole = False

    @property
    def url(self) -> str:
        if not self._port:
            raise RuntimeError("the proxy is not started")
        return f"{self._scheme}://127.0.0.1:{self._port}"

    def retarget(self, target_url: str) -> None:
        """Send new connections to ``target_url`` (a server restarted on another port)."""
        self._target = _target(target_url)

    async def start(self) -> FaultProxy:
        await self._listen()
        return self

    async def close(self) -> None:
        self._stop_listening()
        if self._held is not None:
            self._held.close()
            self._held = None
        for relay in list(self._relays):
            relay.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> FaultProxy:
        return await self.start()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # ---- faults

    def cut(self, after: int = 0, *, reset: bool = False, to_server: bool = True) -> None:
        """Once: close the connection that carries byte ``after`` + 1 from now, that way."""
        self._cut = (UP if to_server else DOWN, after, "reset" if reset else "close")

    def freeze_after(self, after: int, *, to_server: bool = True) -> None:
        """Once: freeze the connection that carries byte ``after`` + 1 from now, that way."""
        self._cut = (UP if to_server else DOWN, after, "freeze")

    def cut_all(self, *, reset: bool = False) -> int:
        """Close every open connection now; return how many."""
        relays = list(self._relays)
        for relay in relays:
            relay.close(reset=reset)
        return len(relays)

    def freeze(self) -> int:
        """Stop every open connection dead, sockets open; return how many."""
        for relay in self._relays:
            relay.freeze()
        return len(self._relays)

    def blackhole(self, on: bool = True) -> None:
        self._blackhole = on

    async def refuse(self, seconds: float) -> None:
        """Refuse connections for ``seconds``, then listen again on the same port. The port
        stays bound meanwhile, not listening (connections are refused): the chaos run met
        another socket taking it during a refusal (EADDRINUSE on listening again).
        Refusals that overlap (a flap during a partition) listen again once, at the end of
        the last (the chaos run met EADDRINUSE there too)."""
        self._refusing += 1
        if self._refusing == 1:
            self._stop_listening()
            self._hold_port()
        try:
            await asyncio.sleep(seconds)
        finally:
            self._refusing -= 1
            if self._refusing == 0:
                await self._listen()

    def _hold_port(self) -> None:
        self._held = self._socket()
        try:
            self._held.bind(("127.0.0.1", self._port))
        except OSError:
            self._held.close()
            self._held = None

    async def partition(self, seconds: float) -> None:
        """Stall every open connection and refuse new ones for ``seconds``; then thaw."""
        stalled = list(self._relays)
        for relay in stalled:
            relay.freeze()
        try:
            await self.refuse(seconds)
        finally:
            for relay in stalled:
                relay.thaw()

    # ---- plumbing

    async def _listen(self) -> None:
        # A modest receive buffer, inherited by every accepted socket: loopback's
        # autotuning would let megabytes sit between the client and a slow link.
        listening, self._held = self._held, None
        if listening is None:
            listening = self._socket()
            listening.bind(("127.0.0.1", self._port))
        self._listener = await asyncio.start_server(self._accept, sock=listening)
        self._port = self._listener.sockets[0].getsockname()[1]

    @staticmethod
    def _socket() -> socket.socket:
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)
        return listening

    def _stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # asyncio owns this task and complains if it is cancelled: relay in our own.
        task = asyncio.create_task(self._relay(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.gather(task, return_exceptions=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        relay = Relay(
            (reader, writer),
            lambda upstream: self.to_server if upstream else self.to_client,
            self._paces,
            (self._count_up, self._count_down),
            self.http,
        )
        self._relays.add(relay)
        try:
            if self._blackhole:
                await relay.hold()
            else:
                await relay.run(self._target)
        finally:
            self._relays.discard(relay)
            relay.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _count_up(self, size: int) -> Cut | None:
        cut = self._take_cut(UP, size)
        self.bytes_to_server += size if cut is None else cut.allowed
        return cut

    def _count_down(self, size: int) -> Cut | None:
        cut = self._take_cut(DOWN, size)
        self.bytes_to_client += size if cut is None else cut.allowed
        return cut

    def _take_cut(self, direction: int, size: int) -> Cut | None:
        if self._cut is None or self._cut[0] != direction:
            return None
        _, left, how = self._cut
        if left >= size:
            self._cut = (direction, left - size, how)
            return None
        self._cut = None
        return Cut(left, how)
