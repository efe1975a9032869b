"""Interview and hearing rooms' sessions on the server: heard from their controllers'
retained messages and from the stations' ``session_opened``/``session_closed`` events,
listed with their coverage, and judged once closed (``session_rules.py``).

A session's verdict waits ``server.mqtt.session_grace_seconds`` after it closed, so the
segments still on their way can arrive. It is judged again while a flag the server raised
about it stays open: footage that arrives late resolves the flag. A flag a person resolved
is their word: the session is not judged again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from evidence.room_session import RoomSession
from ingest.clock import Clock
from ingest.compliance.coverage import Coverage, State
from ingest.fleet.session_rules import SESSION_FLAGS, judgement, session_coverage
from storage.fleet_records import RoomSessionRecord, SessionSegment
from storage.interfaces import Rooms

__all__ = ["MeasuredSession", "RoomSessions"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MeasuredSession:
    session: RoomSessionRecord
    segments: list[SessionSegment]
    coverage: Coverage


@dataclass(frozen=True)
class RoomSessions:
    rooms: Rooms
    clock: Clock
    tolerance_seconds: float  # server.session_gap_tolerance_seconds
    grace_seconds: float  # server.mqtt.session_grace_seconds

    async def heard(self, session: RoomSession, heard_from: str) -> bool:
        """Keep what a controller (or a station relaying it) said of a session; False
        when it changed nothing (heard before, or a closed session said to be open)."""
        record = RoomSessionRecord(
            session_id=session.session_id,
            room=session.room,
            state=session.state,
            started_at=session.started_at,
            stopped_at=session.stopped_at,
            room_name=session.room_name,
            case_number=session.case_number,
            participants=session.participants,
            records=session.records,
            heard_from=heard_from,
            heard_at=self.clock(),
        )
        changed = await self.rooms.record_session(record)
        if changed:
            log.info("room %s: session %s %s", session.room, session.session_id, session.state)
        return changed

    async def measured(self, session: RoomSessionRecord) -> MeasuredSession:
        segments = await self.rooms.segments(session.session_id)
        coverage = session_coverage(session, segments, self.clock(), self.tolerance_seconds)
        return MeasuredSession(session, segments, coverage)

    async def listing(
        self,
        room: str | None = None,
        case_number: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[MeasuredSession]:
        """Sessions, latest start first, each measured now."""
        found = await self.rooms.sessions(room, case_number, limit, offset)
        return [await self.measured(session) for session in found]

    async def judge(self) -> int:
        """Judge every closed session that is due; return how many were judged."""
        now = self.clock()
        cutoff = now - timedelta(seconds=self.grace_seconds)
        due = await self.rooms.to_judge(cutoff, [kind.value for kind in SESSION_FLAGS])
        for session in due:
            measured = await self.measured(session)
            state = measured.coverage.state
            verdict = judgement(session, measured.coverage, now, self.tolerance_seconds)
            await self.rooms.judged(
                session.session_id,
                state.value,
                verdict.flags,
                verdict.resolutions,
                verdict.superseded,
            )
            if session.verdict != state.value:
                level = logging.INFO if state is State.COVERED else logging.WARNING
                log.log(level, "room %s: session %s is %s", session.room, session.session_id, state)
        return len(due)
