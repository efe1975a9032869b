"""Hold all of the agent's uploads together to a rate: a token bucket whose rate is read
afresh at every slice, so a timetable's change or an operator's takes effect at once.

Each slice of a PATCH body takes its size from the bucket before it is written; a slice
the bucket cannot cover yet waits for what it lacks. Parallel uploads share one bucket,
so the cap is for the agent, not per file. With no cap the bucket stays empty and costs
nothing. The bucket holds at most a quarter of a second at the rate, so a cap is kept
from the first second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["CAPPED_SLICE", "UNCAPPED_SLICE", "Throttle"]

# Slices small enough that a slow cap still moves smoothly; whole megabytes without one.
CAPPED_SLICE = 64 * 1024
UNCAPPED_SLICE = 1024 * 1024
_BURST_SECONDS = 0.25


class Throttle:
    def __init__(
        self,
        rate: Callable[[], float | None],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._rate = rate
        self._clock = clock
        self._sleep = sleep
        self._tokens = 0.0
        self._last = clock()

    def slice_size(self) -> int:
        return UNCAPPED_SLICE if self._rate() is None else CAPPED_SLICE

    async def take(self, size: int) -> None:
        """Wait until ``size`` bytes may go at the current rate."""
        rate, now = self._rate(), self._clock()
        elapsed, self._last = now - self._last, now
        if rate is None:
            self._tokens = 0.0
            return
        burst = max(rate * _BURST_SECONDS, 1.0)
        self._tokens = min(burst, self._tokens + elapsed * rate) - size
        if self._tokens < 0:
            await self._sleep(-self._tokens / rate)
