"""Where a process's CPU goes, by section, for the benchmarks (``bench/cpu_account.py``).

Off unless the environment says ``BENCH_CPU_ACCOUNT=1``: then each ``Section`` adds the
CPU time (user + system, ``time.thread_time``) its thread spent inside it to a running
total by name. Sections run on worker threads (writing, hashing, fsync, the index); the
event loop's thread is read whole from /proc (its system time is mostly the socket reads,
its user time the HTTP parsing, aiohttp and the request handlers), and whatever the
sections and the loop do not cover is "other" (thread start-up, the garbage collector,
finalize's work on its worker threads). Off, a section costs one attribute test.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from pathlib import Path
from types import TracebackType

__all__ = ["ENABLED", "Section", "snapshot"]

ENABLED = os.environ.get("BENCH_CPU_ACCOUNT") == "1"
_TICK = os.sysconf("SC_CLK_TCK")
_totals: defaultdict[str, float] = defaultdict(float)
_lock = threading.Lock()
_last: dict[str, float] = {}


class Section:
    """``with Section("hash.whole"):`` counts the CPU this thread spends inside."""

    __slots__ = ("_name", "_start")

    def __init__(self, name: str) -> None:
        self._name = name
        self._start = 0.0

    def __enter__(self) -> None:
        if ENABLED:
            self._start = time.thread_time()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if ENABLED:
            spent = time.thread_time() - self._start
            with _lock:
                _totals[self._name] += spent


def _thread_times(native_id: int) -> tuple[float, float]:
    """User and system seconds of one of this process's threads."""
    text = Path(f"/proc/self/task/{native_id}/stat").read_text()
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[11]) / _TICK, int(fields[12]) / _TICK


def snapshot() -> dict[str, float]:
    """CPU seconds by section since the last snapshot. Call it on the event loop's
    thread: that thread's own time is split into ``loop.system`` and ``loop.user``."""
    user, system = _thread_times(threading.get_native_id())
    times = os.times()
    with _lock:
        now = dict(_totals)
    now["loop.system"], now["loop.user"] = system, user
    now["process"] = times.user + times.system
    spent = {name: value - _last.get(name, 0.0) for name, value in now.items()}
    _last.clear()
    _last.update(now)
    covered = sum(value for name, value in spent.items() if name != "process")
    spent["other"] = spent["process"] - covered
    return spent
