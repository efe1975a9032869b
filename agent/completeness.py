"""When is a file on the dock complete? Pure: no I/O.

A file is complete when its size, mtime and inode have not changed for a while:
``settle_seconds`` once the writer closed it (a close-write or move event), or the longer
``quiet_seconds`` when no such event was seen (a rescan found it, or events were lost);
and it opens as media (an MP4 is written with its index last). A file that is stable but
never opens (a camera that lost power, a corrupt card) is taken anyway after
``broken_grace_seconds``: it is evidence all the same, and is signed as undecodable.
A file still changing after ``growing_alarm_seconds`` is reported, and still waited for.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Observation", "is_complete", "is_growing_too_long", "ready_to_take"]


@dataclass(frozen=True, slots=True)
class Observation:
    size: int
    mtime_ns: int
    inode: int


def is_complete(
    unchanged_since: float, now: float, closed: bool, settle_seconds: float, quiet_seconds: float
) -> bool:
    """``unchanged_since``: when the current observation was first made (monotonic clock)."""
    return now - unchanged_since >= (settle_seconds if closed else quiet_seconds)


def ready_to_take(stable_for: float, opens_as_media: bool, broken_grace_seconds: float) -> bool:
    """A complete file is taken once it opens as media, or once the grace has passed."""
    return opens_as_media or stable_for >= broken_grace_seconds


def is_growing_too_long(first_seen: float, now: float, growing_alarm_seconds: float) -> bool:
    return now - first_seen >= growing_alarm_seconds
