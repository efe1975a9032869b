"""A camera's clock against the station's, measured once each time it docks. Pure: no I/O.

    sidecar_clock  a sidecar holds the camera's clock as the dock read it at docking
                   (``camera_clock``). With the station's clock read at the same moment
                   (``station_clock``) the offset is their difference; without it, the
                   camera's reading is set against when the agent saw the camera dock,
                   which is as good as the bay is watched often (agent.bay_poll_seconds).
                   The newest reading wins: older sidecars may hold older dockings'.
    newest_file    no reading: the camera's newest file time against when it docked. The
                   newest recording ended before the camera docked, so this is a lower
                   bound on how far ahead the camera runs, and it is kept only when
                   positive (a camera ahead of the dock is certain; one behind is not seen).

A camera found already docked when the agent starts is taken as docked then; its
``sidecar_clock`` measurement without a station reading is off by as long as the agent was
away (docs/sidecar.md says so, and why a dock should write ``station_clock``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from evidence.manifest_dock import MAX_CLOCK_OFFSET_MS, CameraClock

__all__ = ["ClockReading", "drifted", "measure"]

ClockReading = tuple[datetime, datetime | None]  # (camera clock, station clock at that moment)


def _ms(later: datetime, earlier: datetime) -> int:
    return round((later - earlier).total_seconds() * 1000)


def _within(offset_ms: int) -> bool:
    return -MAX_CLOCK_OFFSET_MS <= offset_ms <= MAX_CLOCK_OFFSET_MS


def measure(
    readings: Iterable[ClockReading], newest_file: datetime | None, docked_at: datetime
) -> CameraClock | None:
    """The offset (camera − station) for one docking, or None when nothing tells it."""
    latest = max(readings, key=lambda reading: reading[0], default=None)
    if latest is not None:
        camera, station = latest
        at = docked_at if station is None else station
        offset = _ms(camera, at)
        return CameraClock(offset, at, "sidecar_clock") if _within(offset) else None
    if newest_file is not None and newest_file > docked_at:
        offset = _ms(newest_file, docked_at)
        return CameraClock(offset, docked_at, "newest_file") if _within(offset) else None
    return None


def drifted(clock: CameraClock | None, threshold_seconds: float) -> bool:
    """Is the camera's clock off by more than the threshold, either way?"""
    return clock is not None and abs(clock.offset_ms) > threshold_seconds * 1000
