"""The upload policy in force: the bandwidth cap now, from the configured timetable
(``agent.bandwidth``) or the one an operator set while the agent runs.

An override is kept in the journal (agent/controls.py), so ``liuhen agent bandwidth``
reaches a running agent within a second and a restart keeps it; ``set_bandwidth`` is the
one call for anything else that changes it at run time (an MQTT command). Every upload
goes through the one ``throttle``, which reads the rate afresh at each slice. The order
in which files go is agent/priority.py's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, tzinfo

from agent.bandwidth import Timetable
from agent.controls import BANDWIDTH, Controls
from agent.progress import human_bytes
from agent.throttle import Throttle

__all__ = ["UploadPolicy", "describe_rate"]

log = logging.getLogger(__name__)


def describe_rate(rate: float | None) -> str:
    return "no cap" if rate is None else f"{human_bytes(rate)}/s"


class UploadPolicy:
    def __init__(
        self,
        configured: Timetable,
        controls: Controls,
        zone: tzinfo,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.configured = configured
        self.override: Timetable | None = None
        self._controls = controls
        self._zone = zone
        self._clock = clock
        self._told: tuple[str, float | None] | None = None
        self.throttle = Throttle(self.rate)

    @property
    def timetable(self) -> Timetable:
        return self.configured if self.override is None else self.override

    def rate(self) -> float | None:
        """The cap now, in bytes per second; None for no cap."""
        return self.timetable.rate_at(datetime.fromtimestamp(self._clock(), self._zone))

    async def set_bandwidth(self, text: str, by: str) -> Timetable:
        """Put a timetable (agent/bandwidth.py syntax) in force now, in place of the
        configured one, and keep it in the journal. Raises ConfigError, naming what is
        wrong, and changes nothing, when ``text`` is not a timetable."""
        timetable = Timetable.parse(text)
        await self._controls.set(BANDWIDTH, timetable.describe(), self._clock(), by)
        self.override = timetable
        self._tell(f"set by {by}")
        return timetable

    async def clear_bandwidth(self) -> None:
        """Back to the configured timetable."""
        await self._controls.clear(BANDWIDTH)
        self.override = None
        self._tell("as configured")

    async def refresh(self) -> None:
        """Take up a change made from the command line, and say when the rate changes."""
        control = await self._controls.get(BANDWIDTH)
        override = None if control is None else Timetable.parse(control.value)
        why = "as configured" if control is None else f"set by {control.set_by}"
        if override != self.override:
            self.override = override
        self._tell(why)

    def _tell(self, why: str) -> None:
        now = (self.timetable.describe(), self.rate())
        if now != self._told:
            self._told = now
            log.info(
                "upload bandwidth now %s (timetable %r, %s)", describe_rate(now[1]), now[0], why
            )
