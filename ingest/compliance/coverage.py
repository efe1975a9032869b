"""How much of an act's window is on footage: interval arithmetic without I/O.

The rules, in order (tests/compliance/test_coverage.py has a row for each):

1. Times are seconds since the epoch (UTC) as floats. An interval is ``(start, end)`` with
   ``end >= start``. A recording whose end is unknown is ``(start, start)``: a point. It
   is footage of the act (the act is not ``missing``), but it covers no time until its end
   is known, so it neither closes nor splits a gap.
2. The act's window is ``[a, b]``. Each recording is clipped to it; one that lies wholly
   outside (it was attached within the tolerance) becomes a point at the nearer edge.
3. The union of the clipped recordings leaves stretches of the window uncovered: before
   the first, between two, after the last. A stretch **longer than the tolerance** (by
   more than half a millisecond: times are compared to the millisecond) is a gap,
   reported with its full length. One up to the tolerance is not a gap: device clocks
   and the case system's clock disagree by a few seconds, and cameras split long
   recordings into files that touch or nearly touch.
4. The state: ``exempted`` if a standing exemption covers the act (the gaps are still
   measured and shown); else ``missing`` if no recording is attached at all; else
   ``partial`` if there is any gap; else ``covered``.

Handlers and the report feed this module; it imports neither asyncio nor storage.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Coverage", "Interval", "State", "measure"]

Interval = tuple[float, float]

# Half a millisecond: a stretch must exceed the tolerance by more than this to be a gap, so
# a time read as 12.0000000001 s after another (float arithmetic) is not a gap of 12 s.
_SLACK = 0.0005


class State(enum.StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    MISSING = "missing"
    EXEMPTED = "exempted"


@dataclass(frozen=True, slots=True)
class Coverage:
    state: State
    gaps: tuple[Interval, ...]  # each longer than the tolerance, in order
    recorded: float  # seconds of the window on footage (the union, before any tolerance)
    footage: int  # recordings attached

    @property
    def gap_seconds(self) -> float:
        return sum(end - start for start, end in self.gaps)


def _clipped(window: Interval, footage: Iterable[Interval]) -> list[Interval]:
    a, b = window
    spans = []
    for start, end in footage:
        if end < start:
            raise ValueError(f"a recording cannot end ({end}) before it starts ({start})")
        clipped_start = min(max(start, a), b)
        spans.append((clipped_start, max(min(end, b), clipped_start)))
    spans.sort()
    return spans


def measure(
    window: Interval, footage: Iterable[Interval], tolerance: float, *, exempted: bool = False
) -> Coverage:
    """The coverage of ``window`` by the attached recordings ``footage``."""
    a, b = window
    if b < a:
        raise ValueError(f"an act cannot end ({b}) before it starts ({a})")
    if tolerance < 0:
        raise ValueError("the tolerance cannot be negative")
    spans = _clipped(window, footage)
    gaps: list[Interval] = []
    reach = a  # the window is on footage from a up to here
    recorded = 0.0
    for start, end in spans:
        if start == end:
            continue  # a point covers no time (rule 1), whatever it was clipped from
        if start > reach:
            if start - reach > tolerance + _SLACK:
                gaps.append((reach, start))
            recorded += end - start
        elif end > reach:
            recorded += end - reach
        reach = max(reach, end)
    if b - reach > tolerance + _SLACK:
        gaps.append((reach, b))
    if exempted:
        state = State.EXEMPTED
    elif not spans:
        state = State.MISSING
    else:
        state = State.PARTIAL if gaps else State.COVERED
    return Coverage(state, tuple(gaps), recorded, len(spans))
