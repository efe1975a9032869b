"""Disk pressure: too little free space where the agent, or the dock, needs it.

The file systems watched are the agent's data directory's (the journal, review copies
being made) and each bay's (where docks copy footage from cameras). One is **low** when
its free space (what an unprivileged user may use) is under ``agent.min_free_bytes`` or
under ``agent.min_free_percent`` of its size. While any is low:

- the log says so in one line when it begins (again each hour it lasts) and when it ends;
- ``liuhen agent status`` shows it first;
- the agent starts no review copy (they are made in its data directory);
- ``DiskWatch.pressure`` is true: staging from cameras consults it, and leaves new
  footage on the camera;
- nothing is evicted, nothing is deleted: footage without a receipt is never freed to make
  room. When space comes back the agent carries on by itself.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from agent.progress import human_bytes

__all__ = ["DiskWatch", "Space", "is_low", "measure"]

log = logging.getLogger(__name__)

_REMIND_EVERY = 3600.0
StatVfs = Callable[[Path], os.statvfs_result]


@dataclass(frozen=True, slots=True)
class Space:
    path: Path  # a folder on the file system measured
    free: int
    total: int

    @property
    def percent_free(self) -> float:
        return 100.0 if self.total <= 0 else 100.0 * self.free / self.total

    def describe(self) -> str:
        return (
            f"{self.path}: {human_bytes(self.free)} free of {human_bytes(self.total)} "
            f"({self.percent_free:.1f}%)"
        )


def is_low(space: Space, min_free_bytes: int, min_free_percent: float) -> bool:
    """Pure: under either threshold."""
    return space.free < min_free_bytes or space.percent_free < min_free_percent


def _statvfs(path: Path) -> os.statvfs_result:
    return os.statvfs(path)


def measure(paths: Sequence[Path], statvfs: StatVfs = _statvfs) -> list[Space]:
    """Each distinct file system under ``paths`` once (the first path naming it); paths
    that cannot be measured (gone, unreadable) are left out."""
    spaces, seen = [], set()
    for path in paths:
        try:
            device = path.stat().st_dev
            result = statvfs(path)
        except OSError:
            continue
        if device in seen:
            continue
        seen.add(device)
        spaces.append(
            Space(path, result.f_bavail * result.f_frsize, result.f_blocks * result.f_frsize)
        )
    return spaces


class DiskWatch:
    """Measures on ``check()``; ``pressure`` says what the last check found."""

    def __init__(
        self,
        paths: Sequence[Path],
        min_free_bytes: int,
        min_free_percent: float,
        statvfs: StatVfs = _statvfs,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.paths = tuple(paths)
        self.min_free_bytes = min_free_bytes
        self.min_free_percent = min_free_percent
        self._statvfs = statvfs
        self._clock = clock
        self.spaces: tuple[Space, ...] = ()
        self.low: tuple[Space, ...] = ()
        self._told = float("-inf")

    @property
    def pressure(self) -> bool:
        """True while a file system the agent or the dock writes to is low on space."""
        return bool(self.low)

    def check(self) -> bool:
        was_low = self.pressure
        self.spaces = tuple(measure(self.paths, self._statvfs))
        self.low = tuple(
            space
            for space in self.spaces
            if is_low(space, self.min_free_bytes, self.min_free_percent)
        )
        now = self._clock()
        if self.low and (not was_low or now - self._told >= _REMIND_EVERY):
            self._told = now
            log.error("DISK LOW: %s", self.describe())
        elif was_low and not self.low:
            log.warning("disk space is back (%s); carrying on", self._all())
        return self.pressure

    def _all(self) -> str:
        return "; ".join(space.describe() for space in self.spaces)

    def describe(self) -> str:
        """One line: which file systems are low, and what the agent does about it."""
        low = "; ".join(space.describe() for space in self.low)
        return (
            f"{low} (under agent.min_free_bytes {human_bytes(self.min_free_bytes)} or "
            f"agent.min_free_percent {self.min_free_percent:g}%): no new review copies, new "
            "footage stays on the camera, nothing is evicted; carrying on when there is room"
        )
