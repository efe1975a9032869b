"""Strict codecs for the C2SP text formats: one accepted spelling for each value.

Base64 is RFC 4648 §4 with padding, and must be the canonical encoding of what it decodes
to (no stray bits in the last character), so a text can never be altered in a way that
still decodes to the same bytes. Decimals are ASCII digits without sign or leading zero.
"""

from __future__ import annotations

import base64
import binascii
import re

from evidence.errors import LiuhenError
from evidence.ranges import INT64_MAX

__all__ = ["HASH_SIZE", "b64decode", "b64encode", "parse_decimal"]

HASH_SIZE = 32
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, error: type[LiuhenError], what: str, *, size: int | None = None) -> bytes:
    """Decode canonical padded base64, optionally of exactly ``size`` bytes."""
    if not _B64.fullmatch(text) or len(text) % 4:
        raise error(f"{what} is not base64")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise error(f"{what} is not base64") from None
    if b64encode(data) != text:
        raise error(f"{what} is not canonical base64")
    if size is not None and len(data) != size:
        raise error(f"{what} must be {size} bytes, not {len(data)}")
    return data


def parse_decimal(text: str, error: type[LiuhenError], what: str) -> int:
    """A count or index: ASCII digits, no sign, no leading zero, at most 2^63-1."""
    if not _DECIMAL.fullmatch(text) or len(text) > 19 or int(text) > INT64_MAX:
        raise error(f"{what} must be a decimal from 0 to {INT64_MAX} without leading zeros")
    return int(text)
