"""What the agent is doing, in a few numbers: the summary ``liuhen agent status`` opens
with and an MQTT ``state`` message carries. Pure: no I/O; it reads journal rows and disk
measurements it is given.

    queue         files by state (history included: receipted files stay as rows)
    pending       files not finished (discovered … held), and their bytes the server
                  has not committed yet
    oldest        when the agent found the oldest file still pending
    disk          free space on each file system measured, and whether any is low
    upload rate   bytes per second of the uploads under way (progress heard in the last
                  ``FRESH_SECONDS``)
    last error    the most recent error kept on a file
    alarms        one line per kind (agent/alarms.py), disk pressure first
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from agent.alarms import summary as alarm_lines
from agent.disk import Space
from agent.file_row import FileRow
from agent.states import TERMINAL, FileState

__all__ = ["FRESH_SECONDS", "LastError", "Summary", "rfc3339", "summarize"]

FRESH_SECONDS = 10.0


def rfc3339(seconds: float | None, zone: tzinfo) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, zone).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class LastError:
    file_id: int
    path: str
    code: str
    message: str
    at: float


@dataclass(frozen=True, slots=True)
class Summary:
    at: float
    queue: dict[str, int]
    pending_files: int
    pending_bytes: int
    oldest_pending_at: float | None
    disk: tuple[Space, ...]
    disk_low: tuple[Space, ...]
    upload_rate: float
    last_error: LastError | None
    alarms: tuple[str, ...]

    def to_json(self, zone: tzinfo) -> dict[str, Any]:
        """Plain JSON, times in RFC 3339 with the zone's offset."""
        error = self.last_error
        low = {str(space.path) for space in self.disk_low}
        return {
            "at": rfc3339(self.at, zone),
            "queue": dict(self.queue),
            "pending_files": self.pending_files,
            "pending_bytes": self.pending_bytes,
            "oldest_pending_at": rfc3339(self.oldest_pending_at, zone),
            "disk": [
                {"path": str(s.path), "free": s.free, "total": s.total, "low": str(s.path) in low}
                for s in self.disk
            ],
            "disk_low": bool(low),
            "upload_rate": round(self.upload_rate, 1),
            "last_error": None
            if error is None
            else {
                "file_id": error.file_id,
                "path": error.path,
                "code": error.code,
                "message": error.message,
                "at": rfc3339(error.at, zone),
            },
            "alarms": list(self.alarms),
        }


def _pending(row: FileRow) -> bool:
    return row.state not in TERMINAL


def _bytes_left(row: FileRow) -> int:
    size = row.fingerprint.size if row.fingerprint is not None else row.observation.size
    return max(0, size - row.upload_offset)


def _upload_rate(rows: Sequence[FileRow], now: float) -> float:
    return sum(
        row.progress.rate or 0.0
        for row in rows
        if row.state is FileState.UPLOADING
        and row.progress is not None
        and row.progress.work == "upload"
        and now - row.progress.at <= FRESH_SECONDS
    )


def _last_error(rows: Sequence[FileRow]) -> LastError | None:
    errors = [row for row in rows if row.error_code is not None and row.error_at is not None]
    if not errors:
        return None
    row = max(errors, key=lambda row: (row.error_at or 0.0, row.id))
    return LastError(
        row.id, str(row.path), row.error_code or "", row.error_message or "", row.error_at or 0.0
    )


def summarize(
    rows: Sequence[FileRow], now: float, disk: Sequence[Space], disk_low: Sequence[Space]
) -> Summary:
    pending = [row for row in rows if _pending(row)]
    disk_alarm = (
        (f"DISK LOW: {'; '.join(space.describe() for space in disk_low)}",) if disk_low else ()
    )
    return Summary(
        at=now,
        queue=dict(sorted(Counter(row.state.value for row in rows).items())),
        pending_files=len(pending),
        pending_bytes=sum(_bytes_left(row) for row in pending),
        oldest_pending_at=min((row.first_seen_at for row in pending), default=None),
        disk=tuple(disk),
        disk_low=tuple(disk_low),
        upload_rate=_upload_rate(rows, now),
        last_error=_last_error(rows),
        alarms=disk_alarm + tuple(alarm_lines(rows)),
    )
