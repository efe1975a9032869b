"""Is a request body still moving? A PATCH body is written slice by slice; a slice whose
bytes stop leaving for the stall time is given up (``SendStalled``), and its connection
aborted.

aiohttp's read timeout starts only once the body is written, so a link that froze with
more of the body left than the socket buffers hold was waited on for as long as the
kernel kept retransmitting (about 15 minutes with a dead peer), or for ever. Progress is
measured as the bytes written and not yet acknowledged by the peer shrinking: asyncio's
own buffer plus the kernel's send queue (``SIOCOUTQ``, on Linux). asyncio's buffer alone
is not enough: the kernel says a socket is writable again only once a third or half of a
large send buffer is free, which on a slow link that keeps moving can take longer than
the stall time (the chaos run gave up a PATCH at 0.1 MB/s so).

A body given up is dropped (the connection reset, its buffered bytes discarded), not
closed: closed, its megabytes would go on trickling to the server, which would hold the
upload while it reads them, and the resumed PATCH would find it held.
"""

from __future__ import annotations

import asyncio
import fcntl
import struct
import termios
from typing import Any

from aiohttp.abc import AbstractStreamWriter

from agent.net_errors import SendStalled

__all__ = ["unacknowledged", "write_watched"]

_OUTQ = getattr(termios, "TIOCOUTQ", None)  # SIOCOUTQ on Linux


def unacknowledged(transport: Any) -> int:
    """Bytes written to ``transport`` that the peer has not acknowledged yet."""
    pending = int(transport.get_write_buffer_size())
    sock = transport.get_extra_info("socket")
    if sock is None or _OUTQ is None:
        return pending
    try:
        raw = fcntl.ioctl(sock.fileno(), _OUTQ, b"\0\0\0\0")
    except (OSError, ValueError):  # closed meanwhile, or not a TCP socket
        return pending
    return pending + int(struct.unpack("i", raw)[0])


async def write_watched(writer: AbstractStreamWriter, piece: memoryview, stall: float) -> None:
    """Write one slice; give it up once its bytes stop leaving for ``stall`` seconds."""
    writing = asyncio.ensure_future(writer.write(piece))
    transport = getattr(writer, "transport", None)
    loop = asyncio.get_running_loop()
    unsent, since = -1, loop.time()
    try:
        while True:
            done, _ = await asyncio.wait({writing}, timeout=min(1.0, stall / 4))
            if done:
                writing.result()
                return
            now = loop.time()
            left = unacknowledged(transport) if transport is not None else 0
            if left != unsent:
                unsent, since = left, now
            elif now - since >= stall:
                if transport is not None:
                    transport.abort()
                raise SendStalled(f"the body stopped moving for {stall:g} s")
    finally:  # given up, or the request cancelled (its answer came, the link broke)
        writing.cancel()
