"""Read the bytes a relay forwards as HTTP/1.1 and tally what they carry: requests and their
body bytes by method one way, answers by status the other way.

The fault proxy counts raw bytes; the invariant "at most one chunk re-sent per
interruption" needs the PATCH body bytes alone, without headers, sign-in or manifests.
A relay feeds each direction's bytes, in order, to one meter per connection. It frames
by ``Content-Length``; a chunked body (which our agent never sends: a PATCH always has a
length) is counted whole as its request's body up to the connection's end, and an
answer it cannot frame ends the tally of answers on that connection (``unframed``).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

__all__ = ["HttpTally", "RequestMeter", "ResponseMeter"]

_MAX_HEAD = 64 * 1024
_NO_BODY_STATUSES = frozenset({204, 304})


@dataclass
class HttpTally:
    """What every connection of one proxy carried (shared by its meters)."""

    requests: Counter[str] = field(default_factory=Counter)  # by method
    body_bytes: Counter[str] = field(default_factory=Counter)  # request bodies, by method
    statuses: Counter[int] = field(default_factory=Counter)
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)  # (method, status)
    unframed: int = 0  # connections whose bytes could not be read as HTTP to the end


@dataclass
class _Head:
    first_line: str
    length: int | None  # None: chunked, or no length given
    chunked: bool


def _split_head(buffer: bytearray) -> tuple[_Head, bytes] | None:
    """A complete head at the start of ``buffer`` and the bytes after it, or None."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = headers.get("content-length")
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    head = _Head(lines[0], int(length) if length and length.isdigit() else None, chunked)
    return head, bytes(buffer[end + 4 :])


class _Meter:
    def __init__(self, tally: HttpTally) -> None:
        self.tally = tally
        self._head = bytearray()
        self._body_left = 0
        self._opaque = False  # the rest of the connection cannot be framed

    def feed(self, data: bytes) -> None:
        while data and not self._opaque:
            if self._body_left:
                taken = min(len(data), self._body_left)
                self._body(taken)
                self._body_left -= taken
                data = data[taken:]
                continue
            self._head += data
            split = _split_head(self._head)
            if split is None:
                if len(self._head) > _MAX_HEAD:
                    self._give_up()
                return
            head, data = split
            self._head = bytearray()
            self._body_left = self._started(head)
        if data and self._opaque:
            self._body(len(data))

    def _give_up(self) -> None:
        self._opaque = True
        self.tally.unframed += 1

    def _started(self, head: _Head) -> int:
        raise NotImplementedError

    def _body(self, size: int) -> None:
        """``size`` more body bytes of the message in hand."""


class RequestMeter(_Meter):
    """The client's side: each request's method, and its body bytes under that method."""

    def __init__(self, tally: HttpTally) -> None:
        super().__init__(tally)
        self.methods: deque[str] = deque()  # sent and not yet answered, for ResponseMeter
        self._method = ""

    def _started(self, head: _Head) -> int:
        self._method = head.first_line.split(" ", 1)[0]
        self.tally.requests[self._method] += 1
        self.methods.append(self._method)
        if head.chunked:
            self._opaque = True  # counted whole below, as this request's body
            return 0
        return head.length or 0

    def _body(self, size: int) -> None:
        self.tally.body_bytes[self._method] += size


class ResponseMeter(_Meter):
    """The server's side: each answer's status (a HEAD's answer has no body)."""

    def __init__(self, tally: HttpTally, requests: RequestMeter) -> None:
        super().__init__(tally)
        self._requests = requests

    def _started(self, head: _Head) -> int:
        parts = head.first_line.split(" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        self.tally.statuses[status] += 1
        if 100 <= status < 200:
            return 0  # an interim answer; the real one follows
        method = self._requests.methods.popleft() if self._requests.methods else ""
        self.tally.answers[method, status] += 1
        if method == "HEAD" or status in _NO_BODY_STATUSES:
            return 0
        if head.chunked or head.length is None:
            self._give_up()
            return 0
        return head.length
