"""How ``liuhen hold`` and ``liuhen retention report`` print: times in the agency's zone
with the offset; ``--json`` as the API answers; ``--csv`` for Excel (UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from evidence.local_time import local_text
from evidence.strict_json import parse_time

__all__ = ["print_holds", "print_retention", "retention_csv"]

COLUMNS = ("evidence_id", "stored", "class", "source", "because", "holds", "removable", "status")


def _local(text: str | None, zone: tzinfo, none: str = "never") -> str:
    return none if text is None else local_text(parse_time(text), zone)


def print_holds(holds: Sequence[dict[str, Any]], zone: tzinfo, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(holds, ensure_ascii=False, indent=2))
        return
    if not holds:
        print("no holds")
    for h in holds:
        on = f"case {h['case_number']}" if h["case_number"] else f"recording {h['evidence_id']}"
        line = f"hold {h['hold_id']} on {on}: set {_local(h['set_at'], zone)} by {h['set_by']}"
        line += f" ({h['set_role']}), {h['reason']}"
        lift = h["lift"]
        if lift is not None:
            line += f"; lifted {_local(lift['lifted_at'], zone)} by {lift['lifted_by']}: "
            line += lift["reason"]
        print(line)


def _row(line: dict[str, Any], zone: tzinfo) -> list[str]:
    holds = ", ".join(str(h) for h in line["holds"])
    return [
        line["evidence_id"],
        _local(line["stored_at"], zone),
        f"{line['class']} ({line['period']})",
        line["source"],
        line["because"],
        holds or "-",
        _local(line["removable_at"], zone),
        line["status"],
    ]


def retention_csv(lines: Sequence[dict[str, Any]], zone: tzinfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(line, zone) for line in lines)
    return "\ufeff" + out.getvalue()


def print_retention(report: dict[str, Any], zone: tzinfo) -> None:
    classes = ", ".join(f"{c['name']} = {c['period']}" for c in report["classes"])
    print(f"retention classes: {classes}; default {report['default']}")
    lines = report["recordings"]
    if not lines:
        print("no recordings")
        return
    rows = [list(COLUMNS), *(_row(line, zone) for line in lines)]
    widths = [max(len(row[n]) for row in rows) for n in range(len(COLUMNS))]
    for row in rows:
        sys.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        sys.stdout.write("\n")
