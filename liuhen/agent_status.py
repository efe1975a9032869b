"""``liuhen agent status``: alarms first (a sign-in refusal, then a line per kind), the
summary (agent/summary.py: queue by state, bytes pending, the oldest pending, upload rate
and bandwidth, disk free, last error), then each alarm in full (what went wrong, since
when, how often, when it is tried next), then the files: state, upload offset and
percentage, work in hand with its rate and time left, attempts and next try. Times are
shown in the agency's zone with the offset; ``--json`` gives the same with RFC 3339 times.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from agent.alarms import AlarmKind, alarm_of
from agent.journal import FileRow
from agent.progress import describe, human_bytes, human_seconds
from agent.states import TERMINAL, FileState
from agent.summary import FRESH_SECONDS, Summary, rfc3339, summarize

__all__ = ["print_agent_status"]

_HEADINGS = {kind: kind.value.upper() for kind in AlarmKind}
# What holds back every file, not one, said first, once each: the code, the heading, and
# what the operator can do about it.
_SERVER_WIDE = (
    ("unknown_device", "SIGN-IN REFUSED", ""),
    ("device_revoked", "SIGN-IN REFUSED", ""),
    (
        "checksum_unsupported",
        "UPLOADS BLOCKED",
        "the server must offer tus checksums with sha256; nothing is sent until it does",
    ),
    (
        "receipt_mismatch",
        "RECEIPTS REFUSED",
        "check that agent.server_public_key is the server's keys/server.pub.pem",
    ),
)
_UPLOAD_STATES = {FileState.REGISTERED, FileState.UPLOADING, FileState.UPLOADED}


def _moment(seconds: float, zone: tzinfo) -> str:
    return datetime.fromtimestamp(seconds, zone).isoformat(sep=" ", timespec="seconds")


def _when(seconds: float, zone: tzinfo, now: float) -> str:
    if seconds <= now:
        return "now"
    return f"{_moment(seconds, zone)} (in {human_seconds(seconds - now)})"


def _name(row: FileRow) -> str:
    role = "" if row.role.value == "original" else f" ({row.role.value})"
    return f"file {row.id}  {row.path}{role}"


def _alarm_lines(row: FileRow, kind: AlarmKind, zone: tzinfo, now: float) -> list[str]:
    if kind is AlarmKind.HELD:
        since = row.held_since if row.held_since is not None else now
        times = "once" if row.refusals == 1 else f"{row.refusals} times"
        return [
            f"refused [{row.error_code}] {row.error_message}",
            f"first refused {_moment(since, zone)}, {times}; next try {_when(row.next_attempt_at, zone, now)}",
            f"kept; 'liuhen agent retry {row.id}' tries it again now",
        ]
    if kind is AlarmKind.ALTERED:
        return [f"[{row.error_code}] {row.error_message}", "kept; its signed manifest is kept too"]
    if kind is AlarmKind.UNMADE:
        told = {"sent": "the server was told", "unsupported": "the server cannot be told yet"}
        return [
            f"[{row.error_code}] {row.error_message}",
            f"given up after {row.refusals} attempts; {told.get(row.reported or '', 'the server is to be told')}",
        ]
    if kind is AlarmKind.MISMATCH:
        return [f"[{row.error_code}] {row.error_message}", "kept on the dock; look at it"]
    return ["deleted or moved from the dock before the server receipted it"]


def _print_summary(summary: Summary, bandwidth: str | None, zone: tzinfo, now: float) -> None:
    queue = ", ".join(f"{count} {state}" for state, count in summary.queue.items()) or "empty"
    print(f"queue       {queue}")
    pending = f"{summary.pending_files} file(s), {human_bytes(summary.pending_bytes)} not on the server yet"
    if summary.oldest_pending_at is not None:
        age = human_seconds(now - summary.oldest_pending_at)
        pending += f"; the oldest found {_moment(summary.oldest_pending_at, zone)} ({age} ago)"
    print(f"pending     {pending}")
    cap = f"; cap {bandwidth}" if bandwidth else ""
    print(f"upload      {human_bytes(summary.upload_rate)}/s now{cap}")
    low = {space.path for space in summary.disk_low}
    for space in summary.disk:
        print(f"disk        {space.describe()}{'  LOW' if space.path in low else ''}")
    error = summary.last_error
    if error is not None:
        print(
            f"last error  {_moment(error.at, zone)} file {error.file_id} {error.path}: "
            f"[{error.code}] {error.message}"
        )


def _file_line(row: FileRow, zone: tzinfo, now: float) -> str:
    parts = [f"{row.state.value:13} {row.path}"]
    if row.role.value != "original":
        parts[0] += f" ({row.role.value})"
    if row.safe_to_remove:
        parts.append("safe to remove")
    if row.duplicate_of is not None:
        parts.append(f"(the same footage as file {row.duplicate_of}: not uploaded again)")
    if row.state is FileState.DISCOVERED:
        parts.append(
            f"(seen {(now - row.first_seen_at) / 60:.0f} min ago; waiting for it to be complete)"
        )
    progress = row.progress
    if progress is not None and now - progress.at <= FRESH_SECONDS:
        parts.append(describe(progress))
    elif row.state in _UPLOAD_STATES and row.fingerprint is not None:
        size = row.fingerprint.size
        percent = 100 * row.upload_offset / size if size else 100
        parts.append(
            f"{human_bytes(row.upload_offset)} of {human_bytes(size)} ({percent:.0f}%) on the server"
        )
    if row.attempts and row.state is not FileState.HELD:
        parts.append(
            f"{row.attempts} attempt(s) failed; next try {_when(row.next_attempt_at, zone, now)}"
        )
    if row.purged_at is not None:
        parts.append(f"purged {_moment(row.purged_at, zone)}")
    if row.error_code:
        parts.append(f"[{row.error_code}] {row.error_message}")
    return "  ".join(parts)


def _file_json(row: FileRow, zone: tzinfo) -> dict[str, Any]:
    alarm, progress = alarm_of(row), row.progress
    size = row.fingerprint.size if row.fingerprint is not None else row.observation.size
    return {
        "id": row.id,
        "path": str(row.path),
        "role": row.role.value,
        "state": row.state.value,
        "evidence_id": str(row.evidence_id),
        "first_seen_at": rfc3339(row.first_seen_at, zone),
        "size": size,
        "upload_offset": row.upload_offset,
        "uploaded_percent": round(100 * row.upload_offset / size, 1) if size else None,
        "urgent": row.urgent,
        "safe_to_remove": row.safe_to_remove,
        "duplicate_of": row.duplicate_of,
        "attempts": row.attempts,
        "next_attempt_at": rfc3339(row.next_attempt_at or None, zone),
        "error_code": row.error_code,
        "error_message": row.error_message,
        "error_at": rfc3339(row.error_at, zone),
        "alarm": None if alarm is None else alarm.value,
        "refusals": row.refusals,
        "held_since": rfc3339(row.held_since, zone),
        "receipted_at": rfc3339(row.receipted_at, zone),
        "purged_at": rfc3339(row.purged_at, zone),
        "progress": None
        if progress is None
        else {
            "work": progress.work,
            "done": progress.done,
            "total": progress.total,
            "rate": progress.rate,
            "eta_seconds": progress.eta_seconds(),
            "at": rfc3339(progress.at, zone),
        },
    }


def _print_server_wide(rows: Sequence[FileRow]) -> None:
    """A refusal that holds back every file still on its way (sign-in, a server without
    checksums, a receipt that does not verify under the pinned key): say so first, once.
    A finished file's alarm (a purge's receipt mismatch) is its own, shown below."""
    for code, heading, advice in _SERVER_WIDE:
        waiting = [row for row in rows if row.error_code == code and row.state not in TERMINAL]
        if waiting:
            print(
                f"{heading} [{code}] ({len(waiting)} file(s) waiting): {waiting[0].error_message}"
            )
            if advice:
                print(f"    {advice}")


def print_agent_status(
    rows: Sequence[FileRow],
    *,
    as_json: bool,
    zone: tzinfo,
    now: float,
    summary: Summary | None = None,
    bandwidth: str | None = None,
    shown: Sequence[FileRow] | None = None,
    notes: Mapping[str, Sequence[str]] | None = None,
    station_alarms: Sequence[dict[str, Any]] = (),
) -> None:
    """``rows``: every file (the summary counts them all); ``shown``: those listed;
    ``notes``: what the station noted on each file, by path, and ``station_alarms`` its
    alarms, for ``--json`` (liuhen/station_status.py prints them as text)."""
    summary = summary or summarize(rows, now, (), ())
    listed = rows if shown is None else shown
    notes = notes or {}
    if as_json:
        document = {
            "summary": summary.to_json(zone),
            "bandwidth": bandwidth,
            "station_alarms": list(station_alarms),
            "files": [
                _file_json(row, zone) | {"notes": list(notes.get(str(row.path), ()))}
                for row in listed
            ],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _print_server_wide(rows)
    for line in summary.alarms:
        print(line)
    _print_summary(summary, bandwidth, zone, now)
    for row in listed:
        kind = alarm_of(row)
        if kind is not None:
            print(f"\n{_HEADINGS[kind]:8} {_name(row)}")
            for line in _alarm_lines(row, kind, zone, now):
                print(f"         {line}")
    print()
    for row in listed:
        print(_file_line(row, zone, now))
        for remark in notes.get(str(row.path), ()) if row.role.value == "original" else ():
            print(f"{'':13} note: {remark}")
