"""A TCP relay for tests that puts a bad network between a client and a server.

It listens on 127.0.0.1 (a free port), opens one connection to the target for each client
connection, and forwards bytes both ways, counting them. Each direction follows its own
``Link``: today, a slow fragmenting link (at most ``burst`` bytes, then a ``pause``), so the
receiver sees a body arrive in many small pieces with gaps between them, as it would over
a poor mobile or satellite link. Later faults (latency, a bandwidth cap, a cut after N
bytes, a reset, a blackhole) belong in ``Link`` and ``_pump`` too.

    async with FaultProxy(server_url, to_server=Link(burst=2048, pause=0.005)) as proxy:
        ...  # talk to proxy.url instead of server_url
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

__all__ = ["FaultProxy", "Link"]

_READ_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class Link:
    """How one direction forwards: whole reads when ``burst`` is None."""

    burst: int | None = None  # forward at most this many bytes at a time...
    pause: float = 0.0  # ...and wait this long after each piece


class FaultProxy:
    def __init__(
        self, target_url: str, *, to_server: Link = Link(), to_client: Link = Link()
    ) -> None:
        target = urlsplit(target_url)
        if target.hostname is None or target.port is None:
            raise ValueError(f"a target needs a host and a port: {target_url!r}")
        self._target = (target.hostname, target.port)
        self._scheme = target.scheme or "http"
        self.to_server = to_server  # may be changed while connections are open
        self.to_client = to_client
        self.bytes_to_server = 0
        self.bytes_to_client = 0
        self.connections = 0
        self._listener: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        if self._listener is None:
            raise RuntimeError("the proxy is not started")
        port = self._listener.sockets[0].getsockname()[1]
        return f"{self._scheme}://127.0.0.1:{port}"

    async def start(self) -> FaultProxy:
        self._listener = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._listener is not None:
            await self._listener.wait_closed()

    async def __aenter__(self) -> FaultProxy:
        return await self.start()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _accept(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        # asyncio owns this task and complains if it is cancelled: run the relay in our own.
        relay = asyncio.create_task(self._relay(client_in, client_out))
        self._tasks.add(relay)
        relay.add_done_callback(self._tasks.discard)
        await asyncio.gather(relay, return_exceptions=True)

    async def _relay(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        try:
            server_in, server_out = await asyncio.open_connection(*self._target)
        except OSError:
            client_out.close()
            return
        try:
            await asyncio.gather(
                self._pump(client_in, server_out, upstream=True),
                self._pump(server_in, client_out, upstream=False),
            )
        finally:
            for writer in (client_out, server_out):
                writer.close()

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, upstream: bool
    ) -> None:
        """Copy one direction until its end, then pass the end on (a half-close)."""
        try:
            while data := await source.read(_READ_SIZE):
                await self._forward(data, sink, upstream)
            if sink.can_write_eof():
                sink.write_eof()
        except (ConnectionError, OSError):
            sink.transport.abort()  # a reset on one side is a reset on the other

    async def _forward(self, data: bytes, sink: asyncio.StreamWriter, upstream: bool) -> None:
        link = self.to_server if upstream else self.to_client
        step = link.burst or len(data)
        for start in range(0, len(data), step):
            piece = data[start : start + step]
            sink.write(piece)
            await sink.drain()
            if upstream:
                self.bytes_to_server += len(piece)
            else:
                self.bytes_to_client += len(piece)
            if link.pause:
                await asyncio.sleep(link.pause)
