"""The three threads a PATCH's blocks go through (write, chunk digests, whole-file digest),
and a fourth that makes checkpoints inside a long PATCH durable without holding up the
writes, kept between PATCHes: a PATCH checks a set out and gives it back, so no thread is
started or joined per PATCH (tus-js-client sends one 8 MiB PATCH at a time, and the
client waits through everything a PATCH does after its last byte). Each lane is one
thread, so it runs its jobs in order; PATCHes to different uploads at once each have
their own triple."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["KEPT", "NAMES", "Lanes", "checkin", "checkout"]

T = TypeVar("T")
KEPT = 4  # idle triples kept for the next PATCHes; more at once are made and let go
NAMES = ("write", "chunks", "whole", "sync")


class Lanes:
    def __init__(self) -> None:
        self._executors = tuple(
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"patch-{name}") for name in NAMES
        )
        self._last: list[Future[Any] | None] = [None] * len(NAMES)

    def submit(self, lane: int, job: Callable[..., T], *args: object) -> Future[T]:
        future = self._executors[lane].submit(job, *args)
        self._last[lane] = future
        return future

    def idle(self) -> bool:
        """No job queued or running: safe to hand to the next PATCH."""
        return all(future is None or future.done() for future in self._last)

    def shutdown(self) -> None:
        for executor in self._executors:
            executor.shutdown(wait=True)


_idle: list[Lanes] = []
_guard = threading.Lock()


def checkout() -> Lanes:
    with _guard:
        if _idle:
            return _idle.pop()
    return Lanes()


def checkin(lanes: Lanes) -> None:
    """Give a triple back. One still running a job (a PATCH given up while its blocks were
    in flight) is waited for and let go, as each PATCH's threads were before."""
    if lanes.idle():
        with _guard:
            if len(_idle) < KEPT:
                _idle.append(lanes)
                return
    lanes.shutdown()
