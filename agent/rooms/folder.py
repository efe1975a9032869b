"""A room recorder's folder as the session rules see it. Blocking: run it in a thread.

Footage is every file the agent would take (not ignored, not a sidecar); a segment's
capture start is its sidecar's start, else its mtime; its last write is its mtime.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from agent.rooms.rules import Activity
from agent.watcher import walk
from devices.sidecar import SIDECAR_SUFFIXES
from devices.sidecars import load_sidecar

__all__ = ["activity", "rank"]


def _footage(folder: Path, ignore: Sequence[str]) -> Iterator[tuple[Path, float]]:
    """Each footage file and its last write (seconds)."""
    for path in walk([folder], ignore):
        if path.suffix in SIDECAR_SUFFIXES:
            continue
        try:
            yield path, path.stat().st_mtime
        except OSError:
            continue


def _start(path: Path, mtime: float) -> float:
    found = load_sidecar(path)
    sidecar = found.sidecar if found else None
    if sidecar is not None and sidecar.started_at is not None:
        return sidecar.started_at.timestamp()
    return mtime


def _segments(
    folder: Path, started_at: float, stopped_at: float | None, ignore: Sequence[str]
) -> dict[Path, tuple[float, float]]:
    """The session's segments: those whose capture starts within it; (start, last write)."""
    until = float("inf") if stopped_at is None else stopped_at
    found = {}
    for path, mtime in _footage(folder, ignore):
        if mtime >= started_at - 1.0:  # written before the session: not one of its own
            start = _start(path, mtime)
            if started_at - 1.0 <= start <= until:
                found[path] = (start, mtime)
    return found


def activity(
    folder: Path, started_at: float, stopped_at: float | None, ignore: Sequence[str]
) -> Activity:
    writes = [mtime for _, mtime in _segments(folder, started_at, stopped_at, ignore).values()]
    return Activity(len(writes), max(writes, default=None))


def rank(
    folder: Path, path: Path, started_at: float, stopped_at: float | None, ignore: Sequence[str]
) -> int:
    """``path``'s place (from 1) among the session's segments, by capture start."""
    segments = _segments(folder, started_at, stopped_at, ignore)
    own = segments[path][0] if path in segments else _start(path, path.stat().st_mtime)
    return 1 + sum(
        1
        for candidate, (start, _) in segments.items()
        if (start, str(candidate)) < (own, str(path))
    )
