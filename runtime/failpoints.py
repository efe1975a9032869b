"""The failpoint switch both processes share: named places where a process kills itself
on purpose, so tests and the chaos run can crash it at the worst moments and check that
nothing is lost (docs/reliability.md). Each side names its own points beside its code
(``agent/failpoints.py``, ``ingest/failpoints.py``) and arms them from one variable:

    LIUHEN_FAILPOINTS=agent.mid_patch                        kill at the first hit
    LIUHEN_FAILPOINTS=server.mid_finalize=kill@3             kill at the third hit
    LIUHEN_FAILPOINTS=agent.while_hashing,server.mid_finalize several, either side

A kill is SIGKILL sent by the process to itself: no ``finally``, no ``atexit``, no flush,
as the OOM killer or a crash would leave it (the kernel's page cache survives, as it would
not survive a power cut). One line is logged first, so a test can tell which point fired.

Switched off (the variable unset or empty), ``hit`` is one lookup in an empty dict.
``arm`` refuses a name of its own side it does not know, or an action: a mistyped
failpoint that never fired would let a crash test pass without crashing anything. Names
of the other side are passed over. ``hit`` may be called from worker threads.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from evidence.errors import ConfigError

__all__ = ["ENVIRONMENT", "Failpoints", "Point"]

log = logging.getLogger(__name__)

ENVIRONMENT = "LIUHEN_FAILPOINTS"
_SIDES = ("agent", "server")
_ACTIONS = frozenset({"kill"})


@dataclass(slots=True)
class Point:
    action: str
    at: int  # fire at this hit (from 1)
    hits: int = 0


class Failpoints:
    """One side's points: ``side`` is ``agent`` or ``server``, the prefix of its names."""

    def __init__(self, side: str, names: frozenset[str]) -> None:
        if side not in _SIDES or not all(name.startswith(f"{side}.") for name in names):
            raise ValueError(f"failpoints of {side!r} must be named {side}.…")  # a bug here
        self.side = side
        self.names = names
        self._others = tuple(f"{other}." for other in _SIDES if other != side)
        self._armed: dict[str, Point] = {}
        self._lock = threading.Lock()

    def hit(self, name: str) -> None:
        """Pass the failpoint ``name``: nothing unless it is armed and this is its hit."""
        point = self._armed.get(name)
        if point is None:
            return
        with self._lock:
            point.hits += 1
            fire = point.hits == point.at
        if fire:
            log.warning(
                "failpoint %s (hit %d): killing the %s (SIGKILL)", name, point.hits, self.side
            )
            os.kill(os.getpid(), signal.SIGKILL)

    def armed(self, name: str) -> bool:
        return name in self._armed

    def parse(self, text: str) -> dict[str, Point]:
        """``name[=action[@hit]]`` items, comma-separated; the other side's are skipped."""
        points: dict[str, Point] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, _, spec = item.partition("=")
            name = name.strip()
            if name.startswith(self._others):
                continue
            points[name] = self._point(name, spec)
        return points

    def _point(self, name: str, spec: str) -> Point:
        if name not in self.names:
            raise ConfigError(f"{ENVIRONMENT}: no failpoint {name!r}; known: {sorted(self.names)}")
        action, _, count = (spec.strip() or "kill").partition("@")
        if action not in _ACTIONS:
            raise ConfigError(f"{ENVIRONMENT}: {name}: no action {action!r}; known: kill")
        try:
            at = int(count) if count else 1
        except ValueError:
            at = 0
        if at < 1:
            raise ConfigError(f"{ENVIRONMENT}: {name}: the hit after @ must be 1 or more")
        return Point(action, at)

    def arm(self, text: str) -> list[str]:
        """Arm the points ``text`` names (replacing any armed before); return their names."""
        points = self.parse(text)
        with self._lock:
            self._armed.clear()
            self._armed.update(points)
        for name, point in points.items():
            log.warning("failpoint %s armed: %s at hit %d", name, point.action, point.at)
        return sorted(points)

    def arm_from_environment(self, environ: Mapping[str, str] = os.environ) -> list[str]:
        return self.arm(environ.get(ENVIRONMENT, ""))

    def disarm(self) -> None:
        with self._lock:
            self._armed.clear()
