"""The supervisor's report as text for a terminal 100 columns wide: Chinese characters
take two columns (``unicodedata.east_asian_width``: wide and full-width), so cells are
measured, padded and, when too long, cut with an ellipsis by display width. Times are
the agency's local time with the offset."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import timedelta, timezone
from typing import Any

from evidence.local_time import local_text
from evidence.strict_json import parse_time

__all__ = ["WIDTH", "display_width", "fit", "print_report", "render_table"]

WIDTH = 100
TOP = 10  # rows of each ranking shown; --json, --csv or --xlsx have them all


def display_width(text: str) -> int:
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns (an ellipsis marks the cut), padded."""
    if display_width(text) > width:
        kept = ""
        for ch in text:
            if display_width(kept + ch) > width - 1:
                break
            kept += ch
        text = kept + "…"
    return text + " " * (width - display_width(text))


def render_table(header: Sequence[str], rows: Sequence[Sequence[Any]], first: int) -> list[str]:
    """The first column ``first`` wide (cut to fit), the others right-aligned to their
    widest cell; each line at most WIDTH columns."""
    cells = [[str(c) if c is not None else "-" for c in row[1:]] for row in rows]
    widths = [
        max([display_width(h)] + [display_width(row[i]) for row in cells])
        for i, h in enumerate(header[1:])
    ]
    first = min(first, WIDTH - sum(w + 1 for w in widths))

    def line(label: str, rest: Sequence[str]) -> str:
        shown = " ".join(
            " " * (w - display_width(c)) + c for c, w in zip(rest, widths, strict=True)
        )
        return (fit(label, first) + " " + shown).rstrip()

    return [line(header[0], header[1:])] + [
        line(str(row[0]), cell) for row, cell in zip(rows, cells, strict=True)
    ]


def _rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _counts_table(report: dict[str, Any]) -> list[str]:
    header = ("", "acts", "covered", "partial", "missing", "exempted", "edited", "rate")
    rows: list[list[Any]] = []
    groups = (("全部 all acts", [report["totals"]], None),
              ("by agency", report["by_agency"], "agency"),
              ("by unit", report.get("by_unit", []), "unit"),
              ("by act type", report["by_act_type"], "act_type"),
              ("by officer", report["by_officer"], "officer"),
              ("by month", report["by_period"], "period"))  # fmt: skip
    for title, group, key in groups:
        if key is not None and group:
            rows.append([title])
        for row in group:
            label = title if key is None else "  " + _label(row, key)
            rows.append([label, row["acts"], row["covered"], row["partial"], row["missing"],
                         row["exempted"], row["edited"], _rate(row["coverage_rate"])])  # fmt: skip
    return render_table(header, [r + [""] * (8 - len(r)) for r in rows], 44)


def _label(row: dict[str, Any], key: str) -> str:
    if key == "act_type":
        return f"{row['act_type']} {row['name']}"
    if key == "officer" and row.get("name"):
        return f"{row['name']} {row['officer']}"
    return str(row[key])


def _rankings(report: dict[str, Any]) -> list[str]:
    lines = [f"\nweak links (failing acts, then seconds off footage; WEAK: rate under "
             f"{report['threshold']:.0%})"]  # fmt: skip
    header = ("", "acts", "failing", "missing", "partial", "off footage s", "rate", "")
    for key, title in (("agencies", "agencies"), ("units", "units"), ("officers", "officers"),
                       ("act_types", "act types")):  # fmt: skip
        ranked = report["rankings"][key][:TOP]
        if not ranked:
            continue
        rows = [
            [f"{r['name']} {r['key']}" if r["name"] else r["key"], r["acts"], r["failing"],
             r["missing"], r["partial"], f"{r['uncovered_seconds']:.0f}",
             _rate(r["coverage_rate"]), "WEAK" if r["weak"] else ""]
            for r in ranked
        ]  # fmt: skip
        lines += render_table((title, *header[1:]), rows, 40)
    return lines


def _trend(report: dict[str, Any]) -> list[str]:
    rows = [
        [r["period"], r["acts"], r["failing"], _rate(r["coverage_rate"]),
         "-" if r["change_points"] is None else f"{r['change_points']:+.1f}"]
        for r in report["trend"]
    ]  # fmt: skip
    header = ("month", "acts", "failing", "rate", "change (points)")
    return ["\ntrend", *render_table(header, rows, 10)]


def _sections(report: dict[str, Any]) -> list[str]:
    exemptions, late, needed = report["exemptions"], report["late_uploads"], report["as_needed"]
    lines = [f"\nexemptions standing: {exemptions['count']}"]
    lines += [f"  reason {r['reason']}: {r['count']}" for r in exemptions["by_reason"]]
    lines += [f"  approver {r['approver']}: {r['count']}" for r in exemptions["by_approver"][:TOP]]
    lines.append(f"\nlate uploads: {late['count']} ({late['open']} open)")
    lines += [
        f"  officer {' '.join(filter(None, (r.get('name'), r['officer'])))}: {r['count']}"
        for r in late["by_officer"][:TOP]
    ]
    lines += [f"  docking station {r['device_id']}: {r['count']}" for r in late["by_station"][:TOP]]
    lines.append(
        f"\nas-needed acts (not counted above): {needed['acts']}, {needed['with_footage']} with footage"
    )
    lines += [f"  {r['act_type']} {r['name']}: {r['acts']} ({r['with_footage']} with footage)"
              for r in needed["by_act_type"]]  # fmt: skip
    return lines


def print_report(report: dict[str, Any], not_ready: Sequence[str], flags: Sequence[str]) -> None:
    zone = timezone(timedelta(hours=report["utc_offset_hours"]))
    filters = ", ".join(f"{k}={v}" for k, v in report["filters"].items() if v is not None)
    lines = [
        f"Compliance report {local_text(parse_time(report['generated_at']), zone)}: gaps over "
        f"{report['tolerance_seconds']} s, late after {report['late_upload_hours']} h",
        f"filters: {filters or 'none'}; duty full: {', '.join(report['full_duty_act_types'])}",
        "",
        *_counts_table(report),
        *_rankings(report),
        *_trend(report),
        *_sections(report),
        *not_ready,
        *flags,
    ]
    print("\n".join(wrapped for line in lines for wrapped in wrap(line)))


def wrap(line: str, width: int = WIDTH) -> list[str]:
    """A line cut into lines of at most ``width`` display columns, at a space where there
    is one (Chinese text breaks anywhere); continuations indented under the first."""
    indent = " " * (len(line) - len(line.lstrip()) + 2)
    out: list[str] = []
    while display_width(line) > width:
        head = fit(line, width).rstrip("… ")
        if " " in head.strip():
            head = head[: head.rstrip().rfind(" ")]
        out.append(head.rstrip())
        line = indent + line[len(head) :].lstrip()
    return [*out, line]
