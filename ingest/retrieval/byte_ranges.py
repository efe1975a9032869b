"""HTTP Range requests (RFC 9110 §14), as far as a video player needs them. Pure.

    bytes=500-999     bytes 500 to 999
    bytes=500-        from 500 to the end
    bytes=-500        the last 500 bytes

One range is served as 206 with ``Content-Range``. A header that is not one well-formed
``bytes`` range (another unit, several ranges, nonsense) is ignored, as RFC 9110 allows:
the whole object is served. So is any range when ``If-Range`` names another ETag (the
object changed under the client; ours never do). A range that starts at or past the end
is unsatisfiable (416, ``Content-Range: bytes */<size>``); one that ends past the end is
cut at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.errors import RangeNotSatisfiable

__all__ = ["ByteRange", "chosen_range"]

_ONE_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    length: int
    size: int  # of the whole object
    partial: bool

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.start + self.length - 1}/{self.size}"


def chosen_range(header: str | None, size: int, if_range: str | None, etag: str) -> ByteRange:
    """What to send of an object of ``size`` bytes for this ``Range`` header."""
    whole = ByteRange(0, size, size, partial=False)
    if header is None or (if_range is not None and if_range.strip() != etag):
        return whole
    match = _ONE_RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return whole
    first, last = match.group(1), match.group(2)
    if first == "":  # a suffix: the last N bytes
        count = min(int(last), size)
        if count == 0:
            raise RangeNotSatisfiable(f"{header} selects nothing of {size} bytes", size=size)
        return ByteRange(size - count, count, size, partial=True)
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if last != "" and int(last) < start:
        return whole  # invalid: ignored
    if start >= size:
        raise RangeNotSatisfiable(f"{header} starts past the end of {size} bytes", size=size)
    return ByteRange(start, end - start + 1, size, partial=True)
