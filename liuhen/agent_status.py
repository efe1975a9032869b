"""``liuhen agent status``: alarms first (a summary line per kind, then each file with
what went wrong, since when, how often, and when it is tried next), then every file in
the journal and its state. Times are shown in the agency's zone, with the offset."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from agent.alarms import AlarmKind, alarm_of, summary
from agent.journal import FileRow

__all__ = ["print_agent_status"]

_HEADINGS = {AlarmKind.HELD: "HELD", AlarmKind.ALTERED: "ALTERED", AlarmKind.LOST: "LOST"}


def _moment(seconds: float, zone: timezone) -> str:
    return datetime.fromtimestamp(seconds, zone).isoformat(sep=" ", timespec="seconds")


def _after(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 0):.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _name(row: FileRow) -> str:
    role = "" if row.role.value == "original" else f" ({row.role.value})"
    return f"file {row.id}  {row.path}{role}"


def _held(row: FileRow, zone: timezone, now: float) -> list[str]:
    since = row.held_since if row.held_since is not None else now
    due = row.next_attempt_at
    when = "now" if due <= now else f"{_moment(due, zone)} (in {_after(due - now)})"
    times = "once" if row.refusals == 1 else f"{row.refusals} times"
    return [
        f"refused [{row.error_code}] {row.error_message}",
        f"first refused {_moment(since, zone)}, {times}; next try {when}",
        f"kept; 'liuhen agent retry {row.id}' tries it again now",
    ]


def _alarm_lines(row: FileRow, kind: AlarmKind, zone: timezone, now: float) -> list[str]:
    if kind is AlarmKind.HELD:
        return _held(row, zone, now)
    if kind is AlarmKind.ALTERED:
        return [f"[{row.error_code}] {row.error_message}", "kept; its signed manifest is kept too"]
    return ["deleted or moved from the dock before the server receipted it"]


def _print_alarms(rows: Sequence[FileRow], zone: timezone, now: float) -> None:
    lines = summary(rows)
    if not lines:
        return
    print("\n".join(lines))
    for row in rows:
        kind = alarm_of(row)
        if kind is not None:
            print(f"\n{_HEADINGS[kind]:8} {_name(row)}")
            for line in _alarm_lines(row, kind, zone, now):
                print(f"         {line}")
    print()


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


def _print_server_wide(rows: Sequence[FileRow]) -> None:
    """A refusal that holds back every file (sign-in, a server without checksums, a
    receipt that does not verify under the pinned key): say so first, once."""
    for code, heading, advice in _SERVER_WIDE:
        waiting = [row for row in rows if row.error_code == code]
        if waiting:
            print(
                f"{heading} [{code}] ({len(waiting)} file(s) waiting): {waiting[0].error_message}"
            )
            if advice:
                print(f"    {advice}")


def _as_json(row: FileRow) -> dict[str, Any]:
    alarm = alarm_of(row)
    return {
        "id": row.id,
        "path": str(row.path),
        "role": row.role.value,
        "state": row.state.value,
        "first_seen_at": row.first_seen_at,
        "evidence_id": str(row.evidence_id),
        "safe_to_remove": row.safe_to_remove,
        "error_code": row.error_code,
        "error_message": row.error_message,
        "alarm": None if alarm is None else alarm.value,
        "refusals": row.refusals,
        "held_since": row.held_since,
        "next_attempt_at": row.next_attempt_at,
    }


def print_agent_status(
    rows: Sequence[FileRow], *, as_json: bool, zone: timezone, now: float
) -> None:
    if as_json:
        print(json.dumps([_as_json(row) for row in rows], ensure_ascii=False, indent=2))
        return
    _print_server_wide(rows)
    _print_alarms(rows, zone, now)
    for row in rows:
        note = f"  [{row.error_code}] {row.error_message}" if row.error_code else ""
        safe = "  safe to remove" if row.safe_to_remove else ""
        waiting = ""
        if row.state.value == "discovered":
            waiting = f"  (seen {(now - row.first_seen_at) / 60:.0f} min ago; waiting for it to be complete)"
        role = "" if row.role.value == "original" else f" ({row.role.value})"
        print(f"{row.state.value:13} {row.path}{role}{safe}{waiting}{note}")
