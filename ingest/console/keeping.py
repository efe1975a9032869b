"""What the console shows of a recording's retention and the legal holds on it or its
case (docs/retention.md), as plain rows, times in the agency's zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from evidence.local_time import local_text
from evidence.strict_json import parse_time
from storage.hold_records import HoldRecord

__all__ = ["hold_rows", "retention_view"]


def hold_rows(holds: Iterable[HoldRecord], zone: tzinfo) -> list[dict[str, Any]]:
    return [
        {
            "hold_id": hold.hold_id,
            "on": hold.case_number or str(hold.evidence_id),
            "reason": hold.reason,
            "by": f"{hold.set_by} ({hold.set_role})",
            "at": local_text(hold.set_at, zone),
        }
        for hold in holds
        if hold.standing
    ]


def retention_view(line: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    """One line of the retention report (as the API answers it), for people."""
    removable = line["removable_at"]
    return {
        "class": f"{line['class']} ({line['period']})",
        "because": f"{line['source']}: {line['because']}",
        "removable_at": None if removable is None else local_text(parse_time(removable), zone),
        "status": line["status"],
    }
