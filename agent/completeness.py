"""When is a file on the dock complete? Pure: no I/O.

A file is complete when its size, mtime and inode have not changed for a while:
``settle_seconds`` once the writer closed it (a close-write or move event), or the longer
``quiet_seconds`` when no such event was seen (a rescan found it, or events were lost).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Observation", "is_complete"]


@dataclass(frozen=True, slots=True)
class Observation:
    size: int
    mtime_ns: int
    inode: int

    def same_file_as(self, other: Observation) -> bool:
        return (self.size, self.mtime_ns, self.inode) == (other.size, other.mtime_ns, other.inode)


def is_complete(
    unchanged_since: float, now: float, closed: bool, settle_seconds: float, quiet_seconds: float
) -> bool:
    """``unchanged_since``: when the current observation was first made (monotonic clock)."""
    return now - unchanged_since >= (settle_seconds if closed else quiet_seconds)
