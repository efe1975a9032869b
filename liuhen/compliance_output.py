"""Plain-text and CSV output of the compliance commands. Chinese text is twice as wide
on a terminal, so columns are padded by display width."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

from evidence.csv_table import write_csv

__all__ = [
    "print_act",
    "print_case_coverage",
    "print_catalogue_import",
    "print_import",
    "print_json",
    "print_report",
    "print_suggestions",
    "print_unassigned",
    "report_csv",
]

_COUNTS = ("acts", "covered", "partial", "missing", "exempted", "edited")
_GROUPS = (
    ("by_agency", "agency", "by agency"),
    ("by_act_type", "act_type", "by act type"),
    ("by_officer", "officer", "by officer"),
    ("by_period", "period", "by month"),
)


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


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _rate(row: dict[str, Any]) -> str:
    rate = row["coverage_rate"]
    return "-" if rate is None else f"{rate:.1%}"


def _count_line(label: str, row: dict[str, Any]) -> str:
    counts = "".join(f"{row[name]:>10}" for name in _COUNTS)
    return f"{_pad(label, 34)}{counts}{_rate(row):>10}"


def print_report(report: dict[str, Any]) -> None:
    filters = ", ".join(f"{k}={v}" for k, v in report["filters"].items() if v is not None)
    print(
        f"Compliance report {report['generated_at']}: gaps over {report['tolerance_seconds']} s, "
        f"late after {report['late_upload_hours']} h, months in UTC{report['utc_offset_hours']:+g}"
    )
    print(
        f"filters: {filters or 'none'}; acts with duty full: {', '.join(report['full_duty_act_types'])}"
    )
    print()
    print(_pad("", 34) + "".join(f"{name:>10}" for name in (*_COUNTS, "rate")))
    print(_count_line("all acts", report["totals"]))
    for key, field, title in _GROUPS:
        print(title)
        for row in report[key]:
            label = row[field] if field != "act_type" else f"{row['act_type']} {row['name']}"
            print(_count_line(f"  {label}", row))
    _print_not_ready(report["not_ready"])
    _print_flags(report["flags"])


def _print_not_ready(not_ready: dict[str, Any]) -> None:
    print(f"\nnot ready for legal review: {not_ready['count']} case(s)")
    for case in not_ready["cases"]:
        empty = "  (no act registered)" if not case["acts"] else ""
        print(f"  {case['case_number']}  {case['agency']}{empty}")
        for act in case["acts"]:
            print(
                f"    act {act['act_id']} {act['act_type']} {act['started_at']}: {act['state']}"
                + (f", {act['gap_seconds']:g} s of gaps" if act["state"] == "partial" else "")
                + (f" (edited: revision {act['revision']})" if act["edited"] else "")
            )
    if not_ready["count"] > len(not_ready["cases"]):
        print(f"  … and {not_ready['count'] - len(not_ready['cases'])} more (use --json --limit)")


def _print_flags(flags: dict[str, Any]) -> None:
    print(f"\nopen flags: {flags['count']}")
    for row in flags["by_kind"]:
        print(f"  {row['kind']}: {row['count']}\n    what to do: {row['advice']}")


def report_csv(report: dict[str, Any]) -> str:
    """One table: the totals, then each group's rows (group, key, name, counts, rate)."""
    rows: list[list[str | None]] = [["all", "", None, *_cells(report["totals"])]]
    for key, field, _title in _GROUPS:
        for row in report[key]:
            rows.append([field, row[field], row.get("name"), *_cells(row)])
    return write_csv(("group", "key", "name", *_COUNTS, "coverage_rate"), rows)


def _cells(row: dict[str, Any]) -> list[str | None]:
    rate = row["coverage_rate"]
    return [str(row[name]) for name in _COUNTS] + [None if rate is None else f"{rate:.4f}"]


def _print_act_line(act: dict[str, Any]) -> None:
    coverage = act["coverage"]
    state = f"duty {act['duty']}" if coverage is None else coverage["state"].upper()
    edited = f"  (edited: revision {act['revision']})" if act["edited"] else ""
    print(
        f"  act {act['act_id']} {act['act_type']} {act['name']}  "
        f"{act['started_at']} – {act['ended_at']}  {state}{edited}"
    )
    if coverage is not None:
        for gap in coverage["gaps"]:
            print(f"      gap {gap['start']} – {gap['end']} ({gap['seconds']:g} s)")
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
            f"approved by {exemption['approver']} at {exemption['approved_at']}"
        )
    for recording in act["recordings"]:
        print(
            f"      {recording['evidence_id']}  {recording['started_at']} – "
            f"{recording['ended_at'] or '?'}  by {recording['officer_id'] or '?'}"
            f" ({recording['matched']})"
        )


def print_case_coverage(coverage: dict[str, Any]) -> None:
    case = coverage["case"]
    verdict = (
        "ready for legal review" if coverage["ready_for_review"] else "NOT READY for legal review"
    )
    reasons = coverage["not_ready_reasons"]
    why = f" ({', '.join(reasons)})" if reasons else ""
    print(f"case {case['case_number']}  {case['agency']}  {case['subject'] or ''}\n{verdict}{why}")
    for act in coverage["acts"]:
        _print_act_line(act)


def print_act(act: dict[str, Any]) -> None:
    _print_act_line(act)
    for suggestion in act["suggestions"]:
        print(
            f"      suggested: {suggestion['evidence_id']} (same {', '.join(suggestion['matched_on'])})"
        )
    for change in act["history"]:
        what = (
            "registered"
            if change["registered"]
            else ", ".join(
                f"{name} {value['old']} → {value['new']}"
                for name, value in change["changes"].items()
            )
        )
        reason = f" ({change['reason']})" if change["reason"] else ""
        print(
            f"      r{change['revision']} {change['changed_at']} {change['changed_by']}: {what}{reason}"
        )


def print_suggestions(suggestions: Sequence[dict[str, Any]]) -> None:
    if not suggestions:
        print("no suggestions")
    for s in suggestions:
        print(
            f"{s['evidence_id']} → act {s['act_id']}  same {', '.join(s['matched_on'])}  "
            f"{s['started_at']} – {s['ended_at'] or '?'} on {s['device_id']} "
            f"({s['device_serial'] or '?'}) by {s['officer_id'] or '?'}"
        )


def print_unassigned(recordings: Sequence[dict[str, Any]]) -> None:
    if not recordings:
        print("every recording is attached to an act")
    for r in recordings:
        print(
            f"{r['evidence_id']}  {r['case_number'] or 'no case number'}  {r['started_at']} – "
            f"{r['ended_at'] or '?'} on {r['device_id']} by {r['officer_id'] or '?'}"
        )
