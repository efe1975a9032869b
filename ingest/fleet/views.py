"""JSON shapes of the fleet and of room sessions, shared by the API and the command line
(docs/protocol.md#fleet-and-room-sessions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evidence.strict_json import format_time
from ingest.compliance.views import gaps_json
from ingest.fleet.room_sessions import MeasuredSession
from ingest.fleet.stations import StationView

__all__ = ["SESSION_ADVICE", "fleet_json", "session_json", "station_json"]

SESSION_ADVICE = {
    "missing": "No footage of this session reached the server: check the room's recorder "
    "and its station (liuhen fleet).",
    "partial": "The session's footage has gaps: see liuhen sessions show for its segments.",
}


def _at(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)


def _clock(view: StationView) -> dict[str, Any]:
    cameras = [
        {
            "camera": camera.camera,
            "offset_ms": camera.offset_ms,
            "measured_at": format_time(camera.measured_at),
            "method": camera.method,
        }
        for camera in view.cameras
    ]
    worst = max(view.cameras, key=lambda camera: abs(camera.offset_ms), default=None)
    record = view.record
    return {
        "station_clock_ms": None if record is None else record.station_clock_ms,
        "camera_drift_ms": None if worst is None else worst.offset_ms,
        "cameras": cameras,
    }


def _events(view: StationView) -> dict[str, Any]:
    return {
        "received": sum(boot.received for boot in view.boots),
        "missed": sum(boot.missed for boot in view.boots),
        "boots": len(view.boots),
        "gaps": [
            {"boot": gap.boot, "from_seq": gap.from_seq, "to_seq": gap.to_seq} for gap in view.gaps
        ],
    }


def station_json(view: StationView) -> dict[str, Any]:
    record, state, alive = view.record, view.state or {}, view.liveness
    queue = state.get("queue") or {}
    return {
        "device_id": view.device_id,
        "registered": view.registered,
        "condition": alive.condition.value,
        "quiet_seconds": None if alive.quiet_seconds is None else round(alive.quiet_seconds, 1),
        "status": None if record is None else record.status,
        "status_at": None if record is None else _at(record.status_at),
        "boot": None if record is None else record.boot,
        "software": None if record is None else record.software,
        "last_seen_at": None if record is None else _at(record.last_seen_at),
        "queue": queue,
        "queue_depth": sum(queue.values()),
        "bytes_pending": state.get("bytes_pending"),
        "oldest_pending_seconds": state.get("oldest_pending_seconds"),
        "disk_free_bytes": state.get("disk_free_bytes"),
        "upload_bytes_per_second": state.get("upload_bytes_per_second"),
        "paused": state.get("paused"),
        "state_sent_at": state.get("at"),
        "clock": _clock(view),
        "events": _events(view),
    }


def session_json(measured: MeasuredSession) -> dict[str, Any]:
    session, coverage = measured.session, measured.coverage
    stored = sum(segment.start_ms is not None for segment in measured.segments)
    return {
        "session_id": session.session_id,
        "room": session.room,
        "room_name": session.room_name,
        "state": session.state,
        "started_at": format_time(session.started_at),
        "stopped_at": _at(session.stopped_at),
        "case_number": session.case_number,
        "participants": list(session.participants),
        "records": list(session.records),
        "heard_from": session.heard_from,
        "segments": {"stored": stored, "registered": len(measured.segments)},
        "coverage": {
            "state": coverage.state.value,
            "recorded_seconds": round(coverage.recorded / 1000, 3),
            "gap_seconds": round(coverage.gap_seconds / 1000, 3),
            "gaps": gaps_json(coverage),
            "advice": SESSION_ADVICE.get(coverage.state.value),
        },
        "verdict": session.verdict,
    }


def fleet_json(
    stations: list[StationView], now: datetime, silent_after_seconds: float, link: dict[str, Any]
) -> dict[str, Any]:
    """The fleet view: ``link`` says whether the subscription is on and connected."""
    return {
        "generated_at": format_time(now),
        "silent_after_seconds": silent_after_seconds,
        "subscription": link,
        "stations": [station_json(view) for view in stations],
    }
