"""Running the agent's named loops: each round's failure is one log line that names the
loop and the cause, and the same failure again within a minute is only counted.

A full disk fails every loop every second; a traceback each time would bury the one line
that says what is wrong. A bug (an exception that is not ours and not the OS's) gets its
traceback the first time only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from evidence.errors import LiuhenError

__all__ = ["FailureLog", "describe_failure", "forever", "wait_for"]

log = logging.getLogger("agent.service")

_QUIET_SECONDS = 60.0


async def wait_for(event: asyncio.Event, seconds: float) -> bool:
    """Wait for ``event`` at most ``seconds``; True if it was set. asyncio.timeout, unlike
    wait_for on 3.11, never turns a cancellation into a timeout, so loops stop when told."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


def describe_failure(exc: BaseException) -> str:
    """What failed, in one line: our code and message, or the OS's reason and file."""
    if isinstance(exc, LiuhenError):
        return f"[{exc.code}] {exc.message}"
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


@dataclass
class _Trouble:
    what: str  # the failure last logged
    logged_at: float
    repeats: int = 0  # failures since that line, not logged
    failing: bool = True  # no success since the last failure
    told_back_at: float = float("-inf")


class FailureLog:
    """Failures by who failed. A failure is logged unless the same one was logged less
    than ``quiet`` seconds ago (then it is counted, and the count goes with the next
    line); the first success after failures is logged too, at most once per ``quiet``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, quiet: float = _QUIET_SECONDS):
        self._clock = clock
        self._quiet = quiet
        self._troubles: dict[str, _Trouble] = {}

    def failed(self, who: str, exc: BaseException, then: str = "trying again") -> None:
        what, now = describe_failure(exc), self._clock()
        trouble = self._troubles.get(who)
        if trouble is not None:
            trouble.failing = True
            if trouble.what == what and now - trouble.logged_at < self._quiet:
                trouble.repeats += 1
                return
        repeats = f" ({trouble.repeats} more not logged)" if trouble and trouble.repeats else ""
        bug = trouble is None and not isinstance(exc, LiuhenError | OSError)
        log.error("%s failed; %s: %s%s", who, then, what, repeats, exc_info=exc if bug else None)
        told_back_at = float("-inf") if trouble is None else trouble.told_back_at
        self._troubles[who] = _Trouble(what, now, told_back_at=told_back_at)

    def recovered(self, who: str) -> None:
        trouble, now = self._troubles.get(who), self._clock()
        if trouble is None or not trouble.failing:
            return
        trouble.failing = False
        if now - trouble.told_back_at >= self._quiet:
            trouble.told_back_at = now
            log.warning("%s works again (%d failures not logged)", who, trouble.repeats)
            trouble.repeats = 0


async def forever(
    name: str,
    once: Callable[[], Awaitable[None]],
    stop: asyncio.Event,
    failures: FailureLog,
) -> None:
    """Run one loop's body until ``stop``. A failure in one round (a full disk, a bug) is
    logged and the round tried again a second later: no loop may take the agent down."""
    who = f"the {name} loop"
    while not stop.is_set():
        try:
            await once()
        except Exception as exc:
            failures.failed(who, exc, "trying again every second")
            await wait_for(stop, 1.0)
        else:
            failures.recovered(who)
