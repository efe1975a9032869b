"""The fault proxy itself: it forwards both ways, in pieces no larger than its burst with
its pauses between them, counts the bytes, and passes a hang-up on."""

import asyncio
import time

from tests.fault_proxy import FaultProxy, Link


async def test_the_proxy_fragments_each_direction_and_counts_bytes():
    pieces: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            pieces.append(data)
            if sum(map(len, pieces)) >= 1000:
                writer.write(b"r" * 300)
                await writer.drain()
        writer.close()

    target = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = target.sockets[0].getsockname()[1]
    async with FaultProxy(
        f"http://127.0.0.1:{port}",
        to_server=Link(burst=100, pause=0.01),
        to_client=Link(burst=7),
    ) as proxy:
        host, relay_port = proxy.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(relay_port))
        started = time.monotonic()
        writer.write(b"q" * 1000)
        await writer.drain()
        answer = await asyncio.wait_for(reader.readexactly(300), 10)
        elapsed = time.monotonic() - started
        writer.close()  # the hang-up reaches the target, which ends its side
        await writer.wait_closed()
        assert await asyncio.wait_for(reader.read(), 10) == b""
    target.close()
    await target.wait_closed()
    assert answer == b"r" * 300
    assert b"".join(pieces) == b"q" * 1000 and max(map(len, pieces)) <= 100
    assert len(pieces) >= 10 and elapsed >= 0.09  # ten pieces, a pause after each
    assert (proxy.bytes_to_server, proxy.bytes_to_client, proxy.connections) == (1000, 300, 1)
