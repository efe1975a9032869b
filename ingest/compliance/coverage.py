"""How much of an act's window is on footage: interval arithmetic without I/O.

The rules, in order (tests/compliance/test_coverage.py has a row for each):

1. Times are seconds since the epoch (UTC), or milliseconds as the report passes them:
   any one unit, with the tolerance in it too. An interval is ``(start, end)`` with
   ``end >= start``. A recording whose end is unknown is ``(start, start)``: a point. It
   is footage of the act (the act is not ``missing``), but it covers no time until its end
   is known, so it neither closes nor splits a gap.
2. The act's window is ``[a, b]``, and ``footage`` is what the index attached to the act:
   recordings that overlap the window itself (touching an edge is not overlap; a point
   counts when it lies inside), one rule for attaching, suggesting and the unassigned
   list (``storage/sqlite/coverage_queries.py``). The tolerance plays no part in that.
   Each recording is clipped to the window, so one that straddles an edge covers only
   its part inside it.
3. The union of the clipped recordings leaves stretches of the window uncovered: before
   the first, between two, after the last. This is where the tolerance applies, and only
   here: a stretch **longer than the tolerance** (by
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

__all__ = ["Coverage", "Interval", "State", "gap_limit", "measure"]

Interval = tuple[float, float]

# A stretch must exceed the tolerance by more than this to be a gap, so float noise (a time
# read as 12.0000000001 s after another) does not make one. In seconds it is half a
# millisecond; in milliseconds, which are whole numbers, it changes nothing.
_SLACK = 0.0005


class State(enum.StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    MISSING = "missing"
    EXEMPTED = "exempted"


# Bound once: the report measures every act, and a module global is cheaper to reach.
_COVERED, _PARTIAL, _MISSING, _EXEMPTED = (
    State.COVERED,
    State.PARTIAL,
    State.MISSING,
    State.EXEMPTED,
)


@dataclass(frozen=True, slots=True)
class Coverage:
    state: State
    gaps: tuple[Interval, ...]  # each longer than the tolerance, in order
    recorded: float  # seconds of the window on footage (the union, before any tolerance)
    footage: int  # recordings attached

    @property
    def gap_seconds(self) -> float:
        return sum(end - start for start, end in self.gaps)


def gap_limit(tolerance: float) -> float:
    """A stretch longer than this is a gap (rule 3)."""
    return tolerance + _SLACK


def measure(
    window: Interval, footage: Iterable[Interval], tolerance: float, *, exempted: bool = False
) -> Coverage:
    """The coverage of ``window`` by the attached recordings ``footage``."""
    a, b = window
    if b < a:
        raise ValueError(f"an act cannot end ({b}) before it starts ({a})")
    if tolerance < 0:
        raise ValueError("the tolerance cannot be negative")
    limit = gap_limit(tolerance)
    gaps: list[Interval] = []
    reach = a  # the window is on footage from a up to here
    recorded = 0.0
    count = 0
    # Clipping to [a, b] keeps the order of starts, so sort once, then clip as we go.
    for start, end in sorted(footage):
        count += 1
        if end < start:
            raise ValueError(f"a recording cannot end ({end}) before it starts ({start})")
        start = a if start < a else b if start > b else start
        end = b if end > b else start if end < start else end
        if start == end:
            continue  # a point covers no time (rule 1), whatever it was clipped from
        if start > reach:
            if start - reach > limit:
                gaps.append((reach, start))
            recorded += end - start
            reach = end
        elif end > reach:
            recorded += end - reach
            reach = end
    if b - reach > limit:
        gaps.append((reach, b))
    if exempted:
        state = _EXEMPTED
    elif not count:
        state = _MISSING
    else:
        state = _PARTIAL if gaps else _COVERED
    return Coverage(state, tuple(gaps), recorded, count)
