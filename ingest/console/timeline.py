"""An act's coverage as a picture: the act's window across, one lane per camera with a
bar per recording, the gaps marked with their length. Pure: it takes the act as the
compliance views show it (``compliance/views.py``) and places everything in pixels, so
the template only draws; the SVG is the server's, so it prints too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["LABEL_WIDTH", "LANE_HEIGHT", "WIDTH", "Bar", "Timeline", "timeline"]

WIDTH = 760  # the drawing, labels included
LABEL_WIDTH = 150  # the camera names on the left
LANE_HEIGHT = 26


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    width: float
    label: str  # a recording's span, or a gap's length


@dataclass(frozen=True, slots=True)
class Timeline:
    start: str
    end: str
    lanes: list[tuple[str, list[Bar]]]
    gaps: list[Bar]

    @property
    def height(self) -> int:
        return LANE_HEIGHT * (len(self.lanes) + 2)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _span(recording: dict[str, Any]) -> tuple[str, str | None]:
    """The span coverage reads: the station's clock when the dock corrected it."""
    corrected = recording.get("corrected") or recording
    return corrected["started_at"], corrected.get("ended_at")


def timeline(act: dict[str, Any]) -> Timeline:
    start, end = _when(act["started_at"]), _when(act["ended_at"])
    total = max((end - start).total_seconds(), 1.0)
    scale = (WIDTH - LABEL_WIDTH) / total

    def bar(first: str, last: str | None, label: str) -> Bar:
        a = min(max((_when(first) - start).total_seconds(), 0.0), total)
        b = total if last is None else min(max((_when(last) - start).total_seconds(), 0.0), total)
        return Bar(round(LABEL_WIDTH + a * scale, 1), round(max(b - a, 0.0) * scale, 1), label)

    lanes: dict[str, list[Bar]] = {}
    for recording in act.get("recordings", []):
        first, last = _span(recording)
        lane = recording.get("device_serial") or recording["device_id"]
        lanes.setdefault(lane, []).append(bar(first, last, f"{first} – {last or '…'}"))
    coverage = act.get("coverage") or {}
    gaps = [bar(g["start"], g["end"], f"{g['seconds']:g} s") for g in coverage.get("gaps", [])]
    return Timeline(act["started_at"], act["ended_at"], sorted(lanes.items()), gaps)
