"""What the console shows of a recording's retention and the legal holds on it or its
case (docs/retention.md), as plain rows, times in the agency's zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from evidence.local_time import local_text
from ingest.compliance.retention import Keeping
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


def retention_view(line: Keeping, zone: tzinfo) -> dict[str, Any]:
    removable = line.removable_at
    return {
        "class": f"{line.verdict.retention_class.name} ({line.verdict.retention_class.period})",
        "because": f"{line.verdict.source}: {line.verdict.because}",
        "removable_at": None if removable is None else local_text(removable, zone),
        "status": line.status.value,
    }
