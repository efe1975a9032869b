"""Plain-text and JSON output for the command line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import groupby
from typing import Any

__all__ = [
    "human_size",
    "print_flags",
    "print_match",
    "print_recordings",
    "print_session",
    "print_verification",
]


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


_ROLE_NAMES = {"original": "original", "proxy": "review copy", "transcript": "transcript"}


def _verdict(recording: dict[str, Any]) -> str:
    verification = recording.get("verification")
    held = " + ".join(
        _ROLE_NAMES.get(role, role) for role in recording.get("objects", ["original"])
    )
    if verification is None:
        return f"{held}; verified at ingest"
    return f"{held}; " + ("re-verified OK" if verification["ok"] else "VERIFICATION FAILED")


def print_recordings(recordings: Sequence[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"recordings": list(recordings)}, ensure_ascii=False, indent=2))
        return
    if not recordings:
        print("no recordings")
        return
    ordered = sorted(
        recordings,
        key=lambda r: (r["case_number"] is None, r["case_number"] or "", r["started_at"]),
    )
    for case_number, group in groupby(ordered, key=lambda r: r["case_number"]):
        print(f"case {case_number}" if case_number else "no case number (to be matched to a case)")
        for recording in group:
            flags = (
                f"  flags: {', '.join(recording['open_flags'])}" if recording["open_flags"] else ""
            )
            print(
                f"  {recording['evidence_id']}  {recording['file_name']}  {human_size(recording['size'])}\n"
                f"      captured {recording['started_at']} by {recording['officer_id'] or '?'}"
                f" at {recording['place'] or '?'} on {recording['device_id']}\n"
                f"      sha256 {recording['sha256']}\n"
                f"      {_verdict(recording)}{flags}"
            )


def print_verification(result: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"{result['evidence_id']}: {'OK' if result['ok'] else 'FAILED'}")
    for item in result["objects"]:
        print(f"  {item['role']} sha256 {item['sha256']}")
        for check in item["checks"]:
            mark = "ok " if check["ok"] else "BAD"
            detail = "" if check["ok"] else f"  {check['code']}: {check['message']}"
            print(f"    [{mark}] {check['check']}{detail}")


def print_match(result: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    verdict = {"match": "MATCH", "no_match": "no match", "inconclusive": "inconclusive"}[
        result["verdict"]
    ]
    print(
        f"{verdict}: {result['seconds_within_threshold']} of {result['seconds_compared']} seconds within "
        f"{result['threshold']} bits (mean distance {result['mean_distance']})"
    )
    if result["recording_seconds"]:
        start, end = result["recording_seconds"]
        print(f"the clip is seconds {start}-{end} of recording {result['evidence_id']}")


def print_session(timeline: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(timeline, ensure_ascii=False, indent=2))
        return
    print(
        f"session {timeline['session_id']}: {timeline['started_at']} to {timeline['ended_at'] or '?'}"
    )
    for segment in timeline["segments"]:
        stored = "stored" if segment["stored"] else "NOT STORED YET"
        print(
            f"  #{segment['index']:<3} {segment['started_at']} - {segment['ended_at'] or '?'}  {stored}"
        )
    for hole in timeline["holes"]:
        if hole["kind"] == "missing_segment":
            print(f"  HOLE: segment #{hole['index']} never arrived")
        else:
            print(
                f"  HOLE: {hole['seconds']} s unrecorded after #{hole['after_index']} ({hole['from']} - {hole['to']})"
            )
    print("complete" if timeline["complete"] else "NOT COMPLETE")


def print_flags(flags: Sequence[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"flags": list(flags)}, ensure_ascii=False, indent=2))
        return
    if not flags:
        print("no flags")
    for flag in flags:
        print(
            f"{flag['flag_id']:>6}  {flag['kind']}  {flag['subject']}  raised {flag['raised_at']}"
        )
        if flag["resolved_at"] is None:
            print(f"        what to do: {flag['advice']}")
        else:
            print(
                f"        resolved {flag['resolved_at']} by {flag['resolved_by']}: "
                f"{flag['resolution']}"
            )
