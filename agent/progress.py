"""How far long work has got, how fast, and when it will end. Pure: no I/O.

Two kinds of long work: an ``upload`` (bytes the server has committed, of the file's
size) and a ``transcode`` (seconds of the original made into the review copy, of its
length). A ``Meter`` takes readings as the work goes and gives a ``Progress``: the rate
over the last ``window`` seconds of readings, so a stall shows at once and a burst does
not promise too much. The journal keeps the latest ``Progress`` of each file
(``liuhen agent status`` shows it), and the log gets a line now and then.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import asdict, dataclass

__all__ = ["Meter", "Progress", "describe", "human_bytes", "human_seconds"]


@dataclass(frozen=True, slots=True)
class Progress:
    work: str  # "upload" or "transcode"
    done: float  # bytes, or seconds of media
    total: float
    rate: float | None  # done per second, None until two readings
    at: float  # when it was read (Unix time)

    @property
    def fraction(self) -> float:
        return 1.0 if self.total <= 0 else min(1.0, max(0.0, self.done / self.total))

    def eta_seconds(self) -> float | None:
        """Seconds left at the current rate; None when nothing is moving."""
        if not self.rate:
            return None
        return max(0.0, self.total - self.done) / self.rate

    def to_text(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_text(cls, text: str | None) -> Progress | None:
        if not text:
            return None
        value = json.loads(text)
        return cls(
            str(value["work"]),
            float(value["done"]),
            float(value["total"]),
            None if value["rate"] is None else float(value["rate"]),
            float(value["at"]),
        )


class Meter:
    """Readings of one piece of work; ``reading`` gives its progress now."""

    def __init__(self, work: str, total: float, window: float = 10.0) -> None:
        self.work = work
        self.total = total
        self.window = window
        self._readings: deque[tuple[float, float]] = deque()

    def reading(self, done: float, at: float) -> Progress:
        readings = self._readings
        readings.append((at, done))
        while len(readings) > 2 and at - readings[1][0] >= self.window:
            readings.popleft()
        first_at, first_done = readings[0]
        rate = None
        if at > first_at:
            rate = max(0.0, (done - first_done) / (at - first_at))
        return Progress(self.work, done, self.total, rate, at)


def human_bytes(count: float) -> str:
    """1536 → '1.5 KiB': binary units, as the bandwidth timetable's."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def human_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 0):.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def describe(progress: Progress) -> str:
    """'upload 45% (120.0 MiB of 270.0 MiB) at 2.1 MiB/s, about 70 s left'."""
    percent = f"{progress.fraction * 100:.0f}%"
    if progress.work == "upload":
        amount = f"{human_bytes(progress.done)} of {human_bytes(progress.total)}"
        speed = None if progress.rate is None else f"{human_bytes(progress.rate)}/s"
    else:
        amount = f"{progress.done:.0f} s of {progress.total:.0f} s"
        speed = None if progress.rate is None else f"{progress.rate:.1f}x"
    text = f"{progress.work} {percent} ({amount})"
    eta = progress.eta_seconds()
    if speed is not None:
        text += f" at {speed}"
    if eta is not None:
        text += f", about {human_seconds(eta)} left"
    return text
