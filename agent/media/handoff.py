"""A bounded hand-off between two of the review copy's threads that never waits forever:
once the transcode is stopped (a failure in any thread, or a cancel), a thread waiting
on a full or empty hand-off gives up within half a second."""

from __future__ import annotations

import queue
import threading
from typing import Any

__all__ = ["END", "Handoff"]

END = None  # what the producer puts last, and what ``get`` answers once stopped
_POLL_SECONDS = 0.5


class Handoff:
    def __init__(self, size: int, stop: threading.Event) -> None:
        self._items: queue.Queue[Any] = queue.Queue(size)
        self._stop = stop

    def put(self, item: Any) -> None:
        """Hand ``item`` on; dropped if the transcode stops first (nobody will take it)."""
        while not self._stop.is_set():
            try:
                self._items.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def get(self) -> Any:
        """The next item, or ``END`` once the producer is done or the transcode stopped."""
        while not self._stop.is_set():
            try:
                return self._items.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
        return END

    def drain(self) -> None:
        """Free what waits here, so a producer blocked on a full hand-off can go on."""
        try:
            while True:
                self._items.get_nowait()
        except queue.Empty:
            pass
