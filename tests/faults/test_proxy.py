"""The fault proxy's faults, each against a plain TCP target: latency is a delay (not a
throughput cap) and jitter keeps order, a rate cap is shared by connections, a cut closes
both sides after exactly N bytes, a reset resets both, a freeze keeps both sockets open
and silent, a blackhole never reaches the target, refusing refuses on the same port, and
a partition stalls open connections and refuses new ones, then lets them go on."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from liuhen.faults.proxy import FaultProxy, Link


@dataclass
class Target:
    """A TCP server that keeps what each connection sent, and whether it ended with a
    reset; it answers every read with ``echo`` bytes when asked to."""

    url: str = ""
    received: list[bytearray] = field(default_factory=list)
    resets: int = 0
    ends: int = 0
    echo: bool = False

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got = bytearray()
        self.received.append(got)
        try:
            while data := await reader.read(65536):
                got += data
                if self.echo:
                    writer.write(data)
                    await writer.drain()
            self.ends += 1
        except ConnectionResetError:
            self.resets += 1
        writer.close()


@pytest.fixture
async def target() -> AsyncIterator[Target]:
    found = Target()
    listener = await asyncio.start_server(found.serve, "127.0.0.1", 0)
    found.url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}"
    yield found
    listener.close()


async def connect(proxy: FaultProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = proxy.url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def eventually(check, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_latency_delays_bytes_without_capping_throughput(target):
    target.echo = True
    slow = Link(latency=0.15)
    async with FaultProxy(target.url, to_server=slow, to_client=slow) as proxy:
        reader, writer = await connect(proxy)
        started = time.monotonic()
        writer.write(b"x")
        await reader.readexactly(1)
        round_trip = time.monotonic() - started
        started = time.monotonic()
        writer.write(b"y" * 4_000_000)  # 4 MB both ways: pipelined behind one delay
        await asyncio.wait_for(reader.readexactly(4_000_000), 10)
        bulk = time.monotonic() - started
        writer.close()
    assert round_trip >= 0.3
    assert bulk < 2.0  # at one delay per 64 KiB read it would take 61 × 0.3 s


async def test_jitter_never_reorders_bytes(target):
    async with FaultProxy(target.url, to_server=Link(latency=0.001, jitter=0.02)) as proxy:
        _, writer = await connect(proxy)
        sent = b"".join(f"{n:05d}".encode() for n in range(400))
        for start in range(0, len(sent), 50):
            writer.write(sent[start : start + 50])
            await writer.drain()
            await asyncio.sleep(0.001)
        await eventually(lambda: target.received and len(target.received[0]) == len(sent))
        writer.close()
    assert bytes(target.received[0]) == sent


async def test_a_rate_cap_is_shared_by_every_connection(target):
    async with FaultProxy(target.url, to_server=Link(rate=200_000)) as proxy:
        writers = [(await connect(proxy))[1] for _ in range(2)]
        started = time.monotonic()
        for writer in writers:
            writer.write(b"z" * 60_000)
        await eventually(lambda: sum(map(len, target.received)) == 120_000)
        elapsed = time.monotonic() - started
        for writer in writers:
            writer.close()
    assert 0.5 <= elapsed < 3.0  # 120 kB at 200 kB/s, whichever connection carried it
    assert proxy.bytes_to_server == 120_000


@pytest.mark.parametrize("reset", [False, True], ids=["cut", "reset"])
async def test_a_cut_passes_exactly_n_bytes_then_closes_both_sides(target, reset):
    async with FaultProxy(target.url) as proxy:
        proxy.cut(after=70_000, reset=reset)
        reader, writer = await connect(proxy)
        writer.write(b"a" * 200_000)
        await eventually(lambda: target.ends + target.resets == 1)
        if reset:
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(reader.read(), 5)
        else:
            assert await asyncio.wait_for(reader.read(), 5) == b""  # FIN, not RST
        writer.close()
        assert len(target.received[0]) == 70_000
        assert (target.resets, target.ends) == ((1, 0) if reset else (0, 1))
        # The cut was once: the next connection passes everything.
        _, again = await connect(proxy)
        again.write(b"b" * 100_000)
        await eventually(lambda: len(target.received) == 2 and len(target.received[1]) == 100_000)
        again.close()
    assert proxy.bytes_to_server == 170_000


async def test_cut_all_resets_every_open_connection(target):
    async with FaultProxy(target.url) as proxy:
        clients = [await connect(proxy) for _ in range(3)]
        for _, writer in clients:
            writer.write(b"hello")
        await eventually(lambda: sum(map(len, target.received)) == 15)
        assert proxy.cut_all(reset=True) == 3
        await eventually(lambda: target.resets == 3)
        for reader, writer in clients:
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(reader.read(), 5)
            writer.close()


async def test_a_frozen_connection_keeps_both_sockets_open_and_silent(target):
    target.echo = True
    async with FaultProxy(target.url) as proxy:
        reader, writer = await connect(proxy)
        writer.write(b"before")
        assert await asyncio.wait_for(reader.readexactly(6), 5) == b"before"
        assert proxy.freeze() == 1
        writer.write(b"after")
        await writer.drain()  # the client can still write: nothing tells it otherwise
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(1), 0.5)
        assert bytes(target.received[0]) == b"before"
        assert (target.ends, target.resets) == (0, 0)  # the server still waits, too
        writer.close()
    await eventually(lambda: target.ends + target.resets == 1)  # until the proxy goes
    assert proxy.bytes_to_server == 6


async def test_freeze_after_n_bytes_freezes_that_connection_only_there(target):
    async with FaultProxy(target.url) as proxy:
        proxy.freeze_after(50_000)
        _, writer = await connect(proxy)
        writer.write(b"f" * 120_000)
        await eventually(lambda: target.received and len(target.received[0]) == 50_000)
        await asyncio.sleep(0.3)
        assert len(target.received[0]) == 50_000 and (target.ends, target.resets) == (0, 0)
        _, other = await connect(proxy)  # once: a new connection flows
        other.write(b"g" * 10)
        await eventually(lambda: len(target.received) == 2 and len(target.received[1]) == 10)
        for each in (writer, other):
            each.close()
    assert proxy.bytes_to_server == 50_010


async def test_a_blackhole_accepts_and_never_reaches_the_target(target):
    async with FaultProxy(target.url) as proxy:
        proxy.blackhole()
        reader, writer = await connect(proxy)
        writer.write(b"anyone?")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(1), 0.5)
        assert target.received == []
        proxy.blackhole(False)
        _, through = await connect(proxy)
        through.write(b"now")
        await eventually(lambda: [bytes(got) for got in target.received] == [b"now"])
        writer.close()
        through.close()


async def test_refusing_refuses_then_listens_on_the_same_port(target):
    async with FaultProxy(target.url) as proxy:
        url = proxy.url
        refusing = asyncio.create_task(proxy.refuse(0.5))
        await asyncio.sleep(0.05)
        with pytest.raises(ConnectionRefusedError):
            await connect(proxy)
        await refusing
        assert proxy.url == url
        _, writer = await connect(proxy)
        writer.write(b"back")
        await eventually(lambda: [bytes(got) for got in target.received] == [b"back"])
        writer.close()


async def test_a_partition_stalls_open_connections_refuses_new_ones_then_heals(target):
    async with FaultProxy(target.url) as proxy:
        _, writer = await connect(proxy)
        writer.write(b"one")
        await eventually(lambda: target.received and bytes(target.received[0]) == b"one")
        healed = asyncio.create_task(proxy.partition(0.6))
        await asyncio.sleep(0.05)
        writer.write(b"two")
        with pytest.raises(ConnectionRefusedError):
            await connect(proxy)
        await asyncio.sleep(0.3)
        assert bytes(target.received[0]) == b"one"  # stalled, not lost
        await healed
        await eventually(lambda: bytes(target.received[0]) == b"onetwo")
        writer.close()


async def test_retarget_sends_new_connections_to_the_new_address(target):
    other = Target()
    listener = await asyncio.start_server(other.serve, "127.0.0.1", 0)
    async with FaultProxy(target.url) as proxy:
        proxy.retarget(f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}")
        _, writer = await connect(proxy)
        writer.write(b"moved")
        await eventually(lambda: [bytes(got) for got in other.received] == [b"moved"])
        writer.close()
    listener.close()
    assert target.received == []


async def test_overlapping_refusals_listen_again_once_at_the_end_of_the_last():
    """Found by the chaos run: a flap during a partition listened again twice, and the
    second failed (EADDRINUSE)."""
    async with FaultProxy("http://127.0.0.1:9") as proxy:
        port = urlsplit(proxy.url).port
        first = asyncio.create_task(proxy.refuse(0.6))
        await asyncio.sleep(0.1)
        await proxy.refuse(0.2)  # ends inside the first: still refusing
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)
        await first
        reader, writer = await asyncio.open_connection("127.0.0.1", port)  # listening again
        with contextlib.suppress(ConnectionResetError):  # nothing at 127.0.0.1:9: closed
            assert await reader.read() == b""
            writer.close()
            await writer.wait_closed()
