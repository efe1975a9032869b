"""A room session measured like an act whose duty is ``full``, and what its verdict raises.
Pure: no I/O.

- The **window** is the controller's start to its stop (to now while the session is open).
- The **footage** is the stored segments bound to the session (the manifest's
  ``session.id``), each its span on the station's clock (``recording_spans``): a
  segment registered but not stored covers nothing yet.
- The **rules** are the acts' own (``ingest/compliance/coverage.py``), with
  ``server.session_gap_tolerance_seconds``, as ``liuhen sessions show`` uses: ``covered``,
  ``partial`` (with each gap) or ``missing``.
- A closed session judged ``missing`` raises ``session_no_footage``, ``partial`` raises
  ``session_hole`` (and resolves ``session_no_footage``: footage arrived), ``covered``
  resolves both. The server resolves them itself as ``liuhen-ingest``. Judged again
  with other gaps (more footage arrived, not all), the open flag is resolved as
  superseded and a new one raised, so a flag's detail is what the footage says now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidence.footage_span import epoch_ms
from evidence.strict_json import format_time
from ingest.compliance.coverage import Coverage, State, measure
from ingest.compliance.views import gaps_json
from ingest.custody.flags import FlagKind, new_flag, server_resolution
from storage.fleet_records import RoomSessionRecord, SessionSegment
from storage.records import FlagResolution, NewFlag

__all__ = ["SESSION_FLAGS", "Judgement", "judgement", "session_coverage", "window_ms"]

SESSION_FLAGS = (FlagKind.SESSION_HOLE, FlagKind.SESSION_NO_FOOTAGE)
_RAISES = {State.MISSING: FlagKind.SESSION_NO_FOOTAGE, State.PARTIAL: FlagKind.SESSION_HOLE}
_WHY = {
    State.COVERED: "the session's footage arrived and covers it",
    State.PARTIAL: "footage of the session arrived (with gaps: see session_hole)",
}

SUPERSEDED = "the session's footage changed: superseded by a newer flag with its gaps"


@dataclass(frozen=True, slots=True)
class Judgement:
    flags: tuple[NewFlag, ...]  # to raise
    resolutions: tuple[FlagResolution, ...]  # of the other kinds, now moot
    superseded: tuple[FlagResolution, ...]  # of an open flag of a raised kind that is stale


def window_ms(session: RoomSessionRecord, now: datetime) -> tuple[int, int]:
    start = epoch_ms(session.started_at)  # as recording_spans rounds the segments' times
    end = epoch_ms(session.stopped_at or now)
    return start, max(start, end)


def session_coverage(
    session: RoomSessionRecord,
    segments: list[SessionSegment],
    now: datetime,
    tolerance_seconds: float,
) -> Coverage:
    spans = [
        (segment.start_ms, segment.end_ms)
        for segment in segments
        if segment.start_ms is not None and segment.end_ms is not None
    ]
    return measure(window_ms(session, now), spans, tolerance_seconds * 1000)


def _detail(
    session: RoomSessionRecord, coverage: Coverage, tolerance_seconds: float
) -> dict[str, Any]:
    stopped = session.stopped_at
    return {
        "room": session.room,
        "room_name": session.room_name,
        "case_number": session.case_number,
        "started_at": format_time(session.started_at),
        "stopped_at": None if stopped is None else format_time(stopped),
        "segments": coverage.footage,
        "gap_seconds": round(coverage.gap_seconds / 1000, 3),
        "gaps": gaps_json(coverage),
        "tolerance_seconds": tolerance_seconds,
    }


def judgement(
    session: RoomSessionRecord, coverage: Coverage, now: datetime, tolerance_seconds: float
) -> Judgement:
    """The flags a closed session's coverage raises, and the ones it resolves."""
    kind = _RAISES.get(coverage.state)
    flags: tuple[NewFlag, ...] = ()
    if kind is not None:
        detail = _detail(session, coverage, tolerance_seconds)
        flags = (new_flag(kind, session.session_id, detail, now),)
    why = _WHY.get(coverage.state)
    resolutions = tuple(
        server_resolution(other, session.session_id, why, now)
        for other in SESSION_FLAGS
        if other is not kind and why is not None
    )
    superseded = tuple(
        server_resolution(flag_kind, session.session_id, SUPERSEDED, now)
        for flag_kind in SESSION_FLAGS
        if flag_kind is kind
    )
    return Judgement(flags, resolutions, superseded)
