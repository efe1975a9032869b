"""Numbers on the command line keep the ranges the API keeps (docs/protocol.md): an id is
1 to 2^63-1, a count 0 to 2^63-1. Anything else is a usage error (exit 2), not a
traceback from deep in the index."""

from __future__ import annotations

import argparse

from evidence.ranges import INT64_MAX, in_range

__all__ = ["a_count", "an_id"]


def _bounded(text: str, minimum: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} is a whole number; got {text!r}") from None
    if not in_range(value, minimum, INT64_MAX):
        raise argparse.ArgumentTypeError(f"{what} is from {minimum} to {INT64_MAX}; got {text}")
    return value


def an_id(text: str) -> int:
    return _bounded(text, 1, "an id")


def a_count(text: str) -> int:
    return _bounded(text, 0, "a count")
