"""Failed sign-ins counted per name and per address within a window: past either limit
the next attempt is refused (429 ``too_many_attempts``) before any password is checked,
until the oldest failure in the window is old enough. Held in memory: one server process
counts its own (several nodes would share a counter behind the same interface)."""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta

from evidence.errors import TooManyAttempts
from ingest.clock import Clock

__all__ = ["SignInThrottle"]

_MAX_KEYS = 100_000  # past this many names and addresses, the stale ones are dropped


class SignInThrottle:
    def __init__(self, clock: Clock, per_name: int, per_address: int, window: timedelta) -> None:
        self._clock = clock
        self._limits = {"name": per_name, "address": per_address}
        self._window = window
        self._failures: dict[tuple[str, str], deque[datetime]] = {}

    def check(self, name: str, address: str) -> None:
        """Raise TooManyAttempts if the name or the address has used up its failures."""
        now = self._clock()
        for kind, key in (("name", name[:64]), ("address", address)):
            recent = self._recent((kind, key), now)
            if len(recent) >= self._limits[kind]:
                wait = math.ceil((recent[0] + self._window - now).total_seconds())
                raise TooManyAttempts(
                    f"too many failed sign-ins for this {kind} lately; try again in "
                    f"{wait} s, or ask an admin to set a new password",
                    limit=kind,
                    retry_after_seconds=max(1, wait),
                )

    def failed(self, name: str, address: str) -> None:
        now = self._clock()
        if len(self._failures) > _MAX_KEYS:
            self._forget_stale(now)
        for key in (("name", name[:64]), ("address", address)):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, name: str) -> None:
        """A right password clears the name's failures (the address keeps its own)."""
        self._failures.pop(("name", name[:64]), None)

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        recent = self._failures.get(key, deque())
        while recent and recent[0] + self._window <= now:
            recent.popleft()
        return recent

    def _forget_stale(self, now: datetime) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
