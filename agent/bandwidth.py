"""The upload bandwidth timetable (``agent.bandwidth``). Pure: no I/O.

The syntax follows rclone's ``--bwlimit``, so operators may know it already:

    off                       no cap at any time (the default)
    2M                        2 MiB/s all day
    08:00,2M 18:00,off        2 MiB/s from 08:00, no cap from 18:00 (until 08:00 next day)
    07:30,512K 12:00,4M 13:00,512K 19:00,off

A timetable is entries ``HH:MM,RATE`` separated by spaces, in order of time. Each rate
holds from its time until the next entry's; the last one holds past midnight until the
first entry of the next day. Times are the agency's local time (``compliance.utc_offset_hours``).
A rate is a positive number of bytes per second with an optional binary suffix (``K`` =
1024, ``M`` = 1024², ``G`` = 1024³; ``B`` or none = bytes), or ``off`` for no cap. The cap
is for all of the agent's uploads together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from evidence.errors import ConfigError

__all__ = ["Timetable", "format_rate", "parse_rate"]

_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
_RATE = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<unit>[BKMG]?)", re.IGNORECASE)
_TIME = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})")


def parse_rate(text: str) -> float | None:
    """Bytes per second, or None for ``off``."""
    if text.strip().lower() == "off":
        return None
    found = _RATE.fullmatch(text.strip())
    if found is None:
        raise ConfigError(f"bandwidth {text!r} is not a rate such as 512K, 2M, 1.5M or off")
    rate = float(found["number"]) * _UNITS[found["unit"].upper()]
    if rate < 1:
        raise ConfigError(f"bandwidth {text!r} is below 1 byte per second; say off for no cap")
    return rate


def format_rate(rate: float | None) -> str:
    if rate is None:
        return "off"
    for unit in ("G", "M", "K"):
        if rate >= _UNITS[unit] and (rate / _UNITS[unit]).is_integer():
            return f"{rate / _UNITS[unit]:.0f}{unit}"
    return f"{rate:.0f}"


def _minute(text: str) -> int:
    found = _TIME.fullmatch(text)
    if found is None or int(found["hour"]) > 23 or int(found["minute"]) > 59:
        raise ConfigError(f"bandwidth time {text!r} is not HH:MM from 00:00 to 23:59")
    return int(found["hour"]) * 60 + int(found["minute"])


@dataclass(frozen=True, slots=True)
class Timetable:
    """Rates by minute of the day: each from its minute until the next entry's."""

    entries: tuple[tuple[int, float | None], ...]

    @classmethod
    def parse(cls, text: str) -> Timetable:
        words = text.split()
        if not words:
            raise ConfigError("bandwidth is empty; say off for no cap")
        if len(words) == 1 and "," not in words[0]:
            return cls(((0, parse_rate(words[0])),))
        entries = []
        for word in words:
            when, comma, rate = word.partition(",")
            if not comma:
                raise ConfigError(f"bandwidth entry {word!r} is not HH:MM,RATE")
            entries.append((_minute(when), parse_rate(rate)))
        minutes = [minute for minute, _ in entries]
        if minutes != sorted(set(minutes)):
            raise ConfigError(f"bandwidth times must rise through the day: {text!r}")
        return cls(tuple(entries))

    def rate_at(self, moment: datetime) -> float | None:
        """The cap in bytes per second at ``moment`` (an aware time in the agency's zone),
        None for no cap."""
        minute = moment.hour * 60 + moment.minute
        rate = self.entries[-1][1]  # before the first entry: the last one, from yesterday
        for start, value in self.entries:
            if start <= minute:
                rate = value
        return rate

    def describe(self) -> str:
        if len(self.entries) == 1 and self.entries[0][0] == 0:
            return format_rate(self.entries[0][1])
        return " ".join(
            f"{minute // 60:02d}:{minute % 60:02d},{format_rate(rate)}"
            for minute, rate in self.entries
        )
