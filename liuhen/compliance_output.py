"""Plain-text output of the compliance commands, times in the agency's zone with the
offset. The report's tables are in ``report_output`` (display width of Chinese text);
its CSV and workbook in ``ingest.compliance.report_export``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta, timezone
from typing import Any

from evidence.local_time import local_text
from evidence.strict_json import parse_time
from liuhen import report_output

__all__ = [
    "print_act",
    "print_case_coverage",
    "print_catalogue_import",
    "print_import",
    "print_json",
    "print_report",
    "print_roster_import",
    "print_suggestions",
    "print_unassigned",
]


def print_json(document: Any) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2))


def _print_plan(done: dict[str, Any], plan: Sequence[str]) -> None:
    """What was mapped to what, when there was anything to interpret (or on a dry run)."""
    if done["dry_run"] or not done["mapping"]["plain"]:
        print("\n".join(plan))


def print_import(done: dict[str, Any], plan: Sequence[str]) -> None:
    _print_plan(done, plan)
    verb = "would be added (dry run: nothing imported)" if done["dry_run"] else "added"
    print(
        f"{done['cases_added']} case(s) and {done['acts_added']} act(s) {verb}, "
        f"{done['acts_unchanged']} act(s) already held"
    )


def print_roster_import(done: dict[str, Any], plan: Sequence[str]) -> None:
    _print_plan(done, plan)
    verb = "would be" if done["dry_run"] else "were"
    print(
        f"{done['officers_added']} officer(s) {verb} added, {done['officers_changed']} corrected, "
        f"{done['officers_unchanged']} already on the roster"
    )


def print_catalogue_import(done: dict[str, Any], plan: Sequence[str]) -> None:
    _print_plan(done, plan)
    changes = done["changes"]
    if done["dry_run"] or done["unchanged"] or any(changes.values()):
        for name, codes in changes.items():
            if codes:
                print(f"  act types {name}: {', '.join(codes)}")
    if done["dry_run"]:
        print(f"dry run: {done['entries']} entries read; nothing imported")
    elif done["unchanged"]:
        print(f"the table is the catalogue in force: version {done['version']} stays")
    else:
        print(f"catalogue version {done['version']} in force")


def print_report(report: dict[str, Any]) -> None:
    """The report for a 100-column terminal (``report_output``), times in the agency's zone."""
    zone = timezone(timedelta(hours=report["utc_offset_hours"]))
    report_output.print_report(
        report, _not_ready_lines(report["not_ready"], zone), _flag_lines(report["flags"])
    )


def _not_ready_lines(not_ready: dict[str, Any], zone: timezone) -> list[str]:
    lines = [f"\nnot ready for legal review: {not_ready['count']} case(s)"]
    for case in not_ready["cases"]:
        empty = "  (no act registered)" if not case["acts"] else ""
        lines.append(f"  {case['case_number']}  {case['agency']}{empty}")
        for act in case["acts"]:
            lines.append(
                f"    act {act['act_id']} {act['act_type']} {_local(act['started_at'], zone)}: "
                f"{act['state']}"
                + (f", {act['gap_seconds']:g} s of gaps" if act["state"] == "partial" else "")
                + (f" (edited: revision {act['revision']})" if act["edited"] else "")
            )
    if not_ready["count"] > len(not_ready["cases"]):
        more = not_ready["count"] - len(not_ready["cases"])
        lines.append(f"  … and {more} more (use --json --limit)")
    return lines


def _flag_lines(flags: dict[str, Any]) -> list[str]:
    lines = [f"\nopen flags: {flags['count']}"]
    for row in flags["by_kind"]:
        lines += [f"  {row['kind']}: {row['count']}", f"    what to do: {row['advice']}"]
    return lines


def _shown(name: str, value: Any, zone: timezone | None) -> Any:
    return _local(value, zone) if name in ("started_at", "ended_at") and value else value


def _local(text: str | None, zone: timezone | None) -> str:
    """An RFC 3339 time of a JSON answer as people read it: in the agency's zone."""
    if text is None:
        return "?"
    return text if zone is None else local_text(parse_time(text), zone)


def _print_act_line(act: dict[str, Any], zone: timezone | None) -> None:
    coverage = act["coverage"]
    state = f"duty {act['duty']}" if coverage is None else coverage["state"].upper()
    edited = f"  (edited: revision {act['revision']})" if act["edited"] else ""
    print(
        f"  act {act['act_id']} {act['act_type']} {act['name']}  "
        f"{_local(act['started_at'], zone)} – {_local(act['ended_at'], zone)}  {state}{edited}"
    )
    if coverage is not None:
        for gap in coverage["gaps"]:
            print(
                f"      gap {_local(gap['start'], zone)} – {_local(gap['end'], zone)} "
                f"({gap['seconds']:g} s)"
            )
        if coverage["advice"] and coverage["state"] != "exempted":
            print(f"      what to do: {coverage['advice']}")
    for exemption in act["exemptions"]:
        status = (
            "standing"
            if exemption["standing"]
            else "withdrawn"
            if exemption["withdrawal"]
            else f"lapsed: made for revision {exemption['act_revision']}"
        )
        print(
            f"      exemption {exemption['exemption_id']} ({status}): {exemption['reason']}, "
            f"approved by {exemption['approver']} at {_local(exemption['approved_at'], zone)}"
        )
    for recording in act["recordings"]:
        print(
            f"      {recording['evidence_id']}  {_local(recording['started_at'], zone)} – "
            f"{_local(recording['ended_at'], zone)}  by {recording['officer_id'] or '?'}"
            f" ({recording['matched']})"
        )


def print_case_coverage(coverage: dict[str, Any], zone: timezone | None = None) -> None:
    case = coverage["case"]
    verdict = (
        "ready for legal review" if coverage["ready_for_review"] else "NOT READY for legal review"
    )
    reasons = coverage["not_ready_reasons"]
    why = f" ({', '.join(reasons)})" if reasons else ""
    print(f"case {case['case_number']}  {case['agency']}  {case['subject'] or ''}\n{verdict}{why}")
    for act in coverage["acts"]:
        _print_act_line(act, zone)


def print_act(act: dict[str, Any], zone: timezone | None = None) -> None:
    _print_act_line(act, zone)
    for suggestion in act["suggestions"]:
        print(
            f"      suggested: {suggestion['evidence_id']} (same {', '.join(suggestion['matched_on'])})"
        )
    for change in act["history"]:
        what = (
            "registered"
            if change["registered"]
            else ", ".join(
                f"{name} {_shown(name, value['old'], zone)} → {_shown(name, value['new'], zone)}"
                for name, value in change["changes"].items()
            )
        )
        reason = f" ({change['reason']})" if change["reason"] else ""
        print(
            f"      r{change['revision']} {_local(change['changed_at'], zone)} "
            f"{change['changed_by']}: {what}{reason}"
        )


def print_suggestions(suggestions: Sequence[dict[str, Any]], zone: timezone | None = None) -> None:
    if not suggestions:
        print("no suggestions")
    for s in suggestions:
        print(
            f"{s['evidence_id']} → act {s['act_id']}  same {', '.join(s['matched_on'])}  "
            f"{_local(s['started_at'], zone)} – {_local(s['ended_at'], zone)} on {s['device_id']} "
            f"({s['device_serial'] or '?'}) by {s['officer_id'] or '?'}"
        )


def print_unassigned(recordings: Sequence[dict[str, Any]], zone: timezone | None = None) -> None:
    if not recordings:
        print("every recording is attached to an act")
    for r in recordings:
        print(
            f"{r['evidence_id']}  {r['case_number'] or 'no case number'}  "
            f"{_local(r['started_at'], zone)} – {_local(r['ended_at'], zone)} "
            f"on {r['device_id']} by {r['officer_id'] or '?'}"
        )
