"""A room recorder's session as one timeline: its segments in order, and the holes.

A hole is a segment number that never arrived (the recorder numbers them 1, 2, 3…), or
time between one segment's end and the next one's start longer than
``server.session_gap_tolerance_seconds``. A segment's end is where its footage ends (its
start plus its probed length); one whose length could not be measured covers nothing. A
segment that is registered but not yet stored is shown as such. Trailing segments that
never arrived cannot be seen: nothing says how many there were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evidence.errors import NotFound
from evidence.identifiers import Role
from evidence.strict_json import format_time
from storage.interfaces import Media, ObjectLookup
from storage.records import SegmentRecord

__all__ = ["SessionTimelines"]


def _holes(segments: list[SegmentRecord], tolerance: float) -> list[dict[str, Any]]:
    holes: list[dict[str, Any]] = []
    expected = 1
    previous: SegmentRecord | None = None
    for segment in segments:
        holes.extend(
            {"kind": "missing_segment", "index": index} for index in range(expected, segment.index)
        )
        expected = max(expected, segment.index + 1)
        if previous is not None:
            # A segment whose length could not be measured covers nothing: it ends where
            # it starts.
            reach = previous.ended_at or previous.started_at
            gap = (segment.started_at - reach).total_seconds()
            if gap > tolerance:
                holes.append(
                    {
                        "kind": "gap",
                        "after_index": previous.index,
                        "from": format_time(reach),
                        "to": format_time(segment.started_at),
                        "seconds": round(gap, 3),
                    }
                )
        previous = segment
    return holes


@dataclass(frozen=True)
class SessionTimelines:
    media: Media  # the segments
    objects: ObjectLookup  # whether each is stored
    gap_tolerance_seconds: float  # server.session_gap_tolerance_seconds

    async def timeline(self, session_id: str) -> dict[str, Any]:
        segments = await self.media.session(session_id)
        if not segments:
            raise NotFound(f"no session {session_id!r}")
        listed = [await self._listed(segment) for segment in segments]
        holes = _holes(segments, self.gap_tolerance_seconds)
        return {
            "session_id": session_id,
            "device_ids": sorted({str(segment.device_id) for segment in segments}),
            "started_at": listed[0]["started_at"],
            "ended_at": listed[-1]["ended_at"],
            "segments": listed,
            "holes": holes,
            "complete": not holes and all(item["stored"] for item in listed),
        }

    async def _listed(self, segment: SegmentRecord) -> dict[str, Any]:
        stored = await self.objects.get(segment.evidence_id, Role.ORIGINAL)
        return {
            "index": segment.index,
            "evidence_id": str(segment.evidence_id),
            "started_at": format_time(segment.started_at),
            "ended_at": None if segment.ended_at is None else format_time(segment.ended_at),
            "stored": stored is not None,
        }
