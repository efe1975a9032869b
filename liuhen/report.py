"""Plain-text and JSON output for the command line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from agent.journal import FileRow

__all__ = ["human_size", "print_agent_status", "print_recordings", "print_verification"]


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _verdict(recording: dict[str, Any]) -> str:
    verification = recording.get("verification")
    if verification is None:
        return "verified at ingest"
    return "re-verified OK" if verification["ok"] else "VERIFICATION FAILED"


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


def print_agent_status(rows: Sequence[FileRow], *, as_json: bool) -> None:
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "path": str(row.path),
                        "state": row.state.value,
                        "evidence_id": str(row.evidence_id),
                        "safe_to_remove": row.safe_to_remove,
                        "error_code": row.error_code,
                        "error_message": row.error_message,
                    }
                    for row in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for row in rows:
        note = f"  [{row.error_code}] {row.error_message}" if row.error_code else ""
        safe = "  safe to remove" if row.safe_to_remove else ""
        print(f"{row.state.value:13} {row.path}{safe}{note}")
