"""What is wrong with a room session's recording, from when its controller opened and
closed it and when the room's recorder last wrote. Pure: no I/O, times in seconds.

    no footage         nothing written since the session opened, once it is closed or
                       has been open longer than the grace
    recording stopped  the recorder's last write is more than the grace before the session
                       closed (or, while it is open, before now)

The grace (``agent.room_grace_seconds``) covers a recorder's buffering and how often it
closes a segment; a session is judged for good ``grace`` after it closed, when the last
segment has had time to land.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["Activity", "Problem", "final", "problem"]


@dataclass(frozen=True, slots=True)
class Activity:
    """The session's segments in the room's folder (capture start within the session)
    and the recorder's last write to any of them."""

    files: int
    last_write: float | None


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # the event type: session_no_footage, session_recording_stopped
    message: str


def problem(
    started_at: float, stopped_at: float | None, activity: Activity, now: float, grace: float
) -> Problem | None:
    end = now if stopped_at is None else stopped_at
    if activity.files == 0 or activity.last_write is None:
        if stopped_at is not None or now - started_at > grace:
            return Problem("session_no_footage", "the session produced no footage")
        return None
    silent = end - activity.last_write
    if silent > grace:
        state = (
            "before the session closed" if stopped_at is not None else "while the session is open"
        )
        at = datetime.fromtimestamp(activity.last_write, UTC).isoformat(timespec="seconds")
        return Problem("session_recording_stopped", f"recording stopped at {at} {state}")
    return None


def final(stopped_at: float | None, now: float, grace: float) -> bool:
    """May a closed session be judged for good now?"""
    return stopped_at is not None and now >= stopped_at + grace
