"""Plain-text output of ``liuhen fleet`` and ``liuhen sessions list``. Each takes the JSON
the API answers (``GET /api/v1/fleet``, ``GET /api/v1/sessions``), so the commands can
become API clients without changing what they print."""

from __future__ import annotations

from typing import Any

from liuhen.compliance_output import print_json

__all__ = ["print_fleet", "print_room_sessions"]


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def _age(seconds: int | None) -> str:
    return "-" if seconds is None else _ago(seconds).removesuffix(" ago")


def _clock(clock: dict[str, Any]) -> str:
    drift = clock["camera_drift_ms"]
    station = clock["station_clock_ms"]
    parts = [] if station is None else [f"station {station / 1000:+.1f} s"]
    if drift is not None:
        parts.append(f"camera {drift / 1000:+.1f} s")
    return ", ".join(parts) or "-"


def _station_lines(station: dict[str, Any]) -> list[str]:
    events = station["events"]
    missed = f", {events['missed']} missed" if events["missed"] else ""
    lines = [
        f"{station['device_id']:<24} {station['condition'].upper():<8} "
        f"last seen {_ago(station['quiet_seconds'])}"
        + ("" if station["registered"] else "  (not registered)"),
        f"    queue {station['queue_depth']}, oldest pending "
        f"{_age(station['oldest_pending_seconds'])}; clock {_clock(station['clock'])}; "
        f"events {events['received']}{missed}",
    ]
    lines += [
        f"    missed events {gap['from_seq']}-{gap['to_seq']} of boot {gap['boot']}"
        for gap in events["gaps"]
    ]
    return lines


def print_fleet(fleet: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print_json(fleet)
        return
    link = fleet["subscription"]
    heard = "on" if link["enabled"] else "off (server.mqtt.enabled)"
    if link.get("connected") is not None and link["enabled"]:
        heard += ", connected" if link["connected"] else ", not connected"
    print(
        f"Fleet at {fleet['generated_at']} (MQTT {heard}; silent after {fleet['silent_after_seconds']:g} s)"
    )
    if not fleet["stations"]:
        print("no stations")
    for station in fleet["stations"]:
        print("\n".join(_station_lines(station)))


def print_room_sessions(sessions: list[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        print_json({"sessions": sessions})
        return
    if not sessions:
        print("no room sessions")
    for session in sessions:
        coverage = session["coverage"]
        segments = session["segments"]
        print(
            f"{session['session_id']}  {session['room']}  {session['state']}  "
            f"{session['started_at']} - {session['stopped_at'] or 'now'}  "
            f"{coverage['state'].upper()}  {segments['stored']} of {segments['registered']} "
            f"segments stored"
        )
        if session["case_number"]:
            print(f"    case {session['case_number']}")
        for gap in coverage["gaps"]:
            print(f"    GAP {gap['seconds']} s: {gap['start']} - {gap['end']}")
