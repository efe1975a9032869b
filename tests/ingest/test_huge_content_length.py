"""A Content-Length too large for any body: one aiohttp's parser reads gets Liuhen's JSON
413; one it cannot read (2^64 and more) never reaches Liuhen, and gets the parser's
plain-text 400, as docs/protocol.md says. Raw HTTP to a real server on loopback."""

import asyncio
from urllib.parse import urlsplit

import pytest

from evidence.wire import ACTS


async def raw(server, head: str) -> bytes:
    where = urlsplit(server.url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    try:
        writer.write(head.encode() + b"{}")
        await writer.drain()
        return await asyncio.wait_for(reader.read(64 * 1024), 10)  # the answer, not its close
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("length", "status", "kind"),
    [
        (str(2**63), b"413", b"application/json"),
        (str(2**64 - 1), b"413", b"application/json"),
        (str(2**64), b"400", b"text/plain"),
        ("99999999999999999999999", b"400", b"text/plain"),
    ],
)
async def test_a_huge_content_length_is_refused_before_anything_is_read(
    server, length, status, kind
):
    token = await server.add_user()
    answer = await raw(
        server,
        f"POST {ACTS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n",
    )
    first, _, rest = answer.partition(b"\r\n")
    assert first.split()[1] == status
    assert b"Content-Type: " + kind in rest
    if kind == b"application/json":
        assert b'"code": "too_large"' in rest
