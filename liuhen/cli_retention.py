"""``liuhen hold`` and ``liuhen retention``, through the API as the person signed in: set,
lift and list legal holds (with why); report what becomes removable when, and why."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from evidence.wire import HOLD_LIFT, HOLDS, RETENTION
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.cli_numbers import a_count, an_id
from liuhen.retention_output import print_holds, print_retention, retention_csv
from liuhen.settings import Settings

__all__ = ["add_retention_commands"]

PAGE = 1000  # the API's largest page


async def _hold_set(settings: Settings, args: argparse.Namespace) -> int:
    target = {"case_number": args.case_number} if args.case_number else {}
    if args.evidence_id:
        target = {"evidence_id": args.evidence_id}
    async with signed_in(settings) as client:
        held = await client.json("POST", HOLDS, body={**target, "reason": args.reason})
    print_holds([held], settings.compliance.zone, as_json=args.json)
    return 0


async def _hold_lift(settings: Settings, args: argparse.Namespace) -> int:
    path = HOLD_LIFT.format(hold_id=args.hold_id)
    async with signed_in(settings) as client:
        lifted = await client.json("POST", path, body={"reason": args.reason})
    print_holds([lifted], settings.compliance.zone, as_json=args.json)
    return 0


async def _hold_list(settings: Settings, args: argparse.Namespace) -> int:
    query: dict[str, str | int | None] = {
        "case_number": args.case_number,
        "evidence_id": args.evidence_id,
        "all": "1" if args.all else None,
        "limit": args.limit,
    }
    async with signed_in(settings) as client:
        found = (await client.json("GET", HOLDS, query=query))["holds"]
    print_holds(found, settings.compliance.zone, as_json=args.json)
    return 0


async def _retention_report(settings: Settings, args: argparse.Namespace) -> int:
    lines: list[dict[str, Any]] = []
    async with signed_in(settings) as client:
        while True:
            query = {"evidence_id": args.evidence_id, "limit": PAGE, "offset": len(lines)}
            report = await client.json("GET", RETENTION, query=query)
            lines.extend(report["recordings"])
            if len(report["recordings"]) < PAGE:
                break
    report["recordings"] = lines
    zone = settings.compliance.zone
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    elif args.csv:
        sys.stdout.write(retention_csv(lines, zone))
    else:
        print_retention(report, zone)
    return 0


def _hold_commands(groups: Any) -> None:
    hold = group(groups, "hold", "legal holds on cases and recordings")
    set_ = command(hold, "set", _hold_set, "hold a case's recordings, or one recording, with why")
    on = set_.add_mutually_exclusive_group(required=True)
    on.add_argument("--case-number")
    on.add_argument("--evidence-id")
    set_.add_argument("--reason", required=True, help="why it is held")
    set_.add_argument("--json", action="store_true")
    lift = command(hold, "lift", _hold_lift, "lift a hold, with why (final)")
    lift.add_argument("hold_id", type=an_id)
    lift.add_argument("--reason", required=True, help="why it is lifted")
    lift.add_argument("--json", action="store_true")
    listed = command(hold, "list", _hold_list, "standing holds (or every hold), newest first")
    listed.add_argument("--case-number")
    listed.add_argument("--evidence-id")
    listed.add_argument("--all", action="store_true", help="lifted holds too")
    listed.add_argument("--limit", type=a_count, default=100)
    listed.add_argument("--json", action="store_true")


def add_retention_commands(groups: Any) -> None:
    _hold_commands(groups)
    retention = group(groups, "retention", "how long recordings are kept")
    report = command(retention, "report", _retention_report, "what becomes removable when, and why")
    report.add_argument("--evidence-id", help="one recording only")
    shape = report.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument("--csv", action="store_true", help="one CSV table, for Excel")
