"""Every act's state at once: the rules of ``coverage.measure`` over all the report's
recordings as numpy arrays, instead of one Python loop per act.

The report needs of each act its state and its milliseconds in gaps (the uncovered time
it ranks by); the full ``Coverage`` (each gap, seconds recorded) only of the missing and
partial acts it lists, which ``tally.Finding`` measures one by one with
``coverage.measure`` when asked, so what the report shows comes from the reference.
tests/compliance/test_spans.py checks on random acts that both give the same states and
the same uncovered time.

How: the rows give each act's recordings relative to its start (ReportRows.spans), so
each is clipped to ``[0, length]``; sorted by act, then start; the points dropped (rule 1).
Each act gets an offset above every value of the acts before it, so one running maximum
over all recordings is each act's reach, the end of footage so far, without mixing acts.
A recording starting more than the tolerance beyond the reach before it opens a gap as
long as that stretch; so does an act whose last reach stops that far short of its end.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from ingest.compliance.coverage import Coverage, State, gap_limit, measure
from storage.compliance_records import ReportAct, ReportRows, attached_of

__all__ = ["STATES", "measured", "states"]

Ints = npt.NDArray[np.int64]
# The code each act gets below: 0 covered, 1 partial, 2 missing, 3 exempted.
STATES = (State.COVERED, State.PARTIAL, State.MISSING, State.EXEMPTED)


def _column(acts: list[ReportAct], get: Callable[[ReportAct], int], kind: type) -> Ints:
    return np.fromiter(map(get, acts), kind, len(acts))


def _recordings(rows: ReportRows) -> tuple[Ints, Ints, Ints]:
    """Each act's number of recordings, and all starts and ends (relative), act by act."""
    commas = np.fromiter(map(str.count, rows.spans, repeat(",")), np.int64, len(rows.spans))
    counts = (commas + 1) // 2  # "s,e" has one comma, "s,e,s,e" three, "" none
    text = ",".join(filter(None, rows.spans))
    values = np.fromstring(text, np.int64, sep=",") if text else np.zeros(0, np.int64)
    if values.size != 2 * int(counts.sum()):
        raise ValueError("the report's spans are not pairs of whole milliseconds")
    return counts, values[0::2], values[1::2]


def _gaps(length: Ints, counts: Ints, starts: Ints, ends: Ints, limit: float) -> Ints:
    """Each act's milliseconds in gaps (acts without recordings: whatever; they are
    missing). An act has a gap when the sum is above 0: a gap is longer than ``limit``."""
    act = np.repeat(np.arange(len(length)), counts)
    if starts.size > 1 and not np.all((starts[1:] >= starts[:-1]) | (act[1:] > act[:-1])):
        order = np.lexsort((starts, act))  # stable, and act is already in order
        starts, ends = starts[order], ends[order]
    width = length[act]
    start = np.minimum(np.maximum(starts, 0), width)
    end = np.maximum(np.minimum(ends, width), start)
    real = end > start  # points cover no time (rule 1)
    offset = np.cumsum(length + 1) - (length + 1)  # above every value of the acts before
    base = offset[act]
    reach = np.maximum.accumulate(np.where(real, end, 0) + base)
    before = np.maximum(np.concatenate((base[:1], reach[:-1])), base)
    stretch = start + base - before
    opens = real & (stretch > limit)
    gaps = np.zeros(len(length), np.int64)
    np.add.at(gaps, act[opens], stretch[opens])
    some = counts > 0
    tail = length.copy()  # after the last reach; the whole window when no recording
    tail[some] -= reach[(np.cumsum(counts) - 1)[some]] - offset[some]
    return gaps + np.where(tail > limit, tail, 0)


def states(rows: ReportRows, tolerance: float) -> list[State]:
    """Each act's state, in the order of ``rows.acts`` (milliseconds, as the rows are)."""
    return [STATES[code] for code in measured(rows, tolerance)[0]]


def measured(rows: ReportRows, tolerance: float) -> tuple[list[int], list[int]]:
    """Each act's state as its index in STATES (ints hash in C; enum members in Python),
    and its milliseconds in gaps (``Coverage.gap_seconds``)."""
    acts = rows.acts
    started = _column(acts, attrgetter("started"), np.int64)
    length = _column(acts, attrgetter("ended"), np.int64) - started
    counts, starts, ends = _recordings(rows)
    if np.any(length < 0) or np.any(ends < starts):  # the reference says what is wrong
        pairs = zip(acts, rows.spans, strict=True)
        each = [_one(act, text, tolerance) for act, text in pairs]
        return [STATES.index(c.state) for c in each], [int(c.gap_seconds) for c in each]
    gaps = _gaps(length, counts, starts, ends, gap_limit(tolerance))
    code = np.where(counts == 0, 2, (gaps > 0).astype(np.int64))
    code[_column(acts, attrgetter("exempted"), np.bool_)] = 3
    return list(code.tolist()), list(gaps.tolist())


def _one(act: ReportAct, spans: str, tolerance: float) -> Coverage:
    window = (act.started, act.ended)
    return measure(window, attached_of(act, spans), tolerance, exempted=act.exempted)
