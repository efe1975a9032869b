"""The ``liuhen compliance`` commands: the report, suggestions (confirm, reject),
exemptions (exempt, withdraw) and unassigned recordings, through the server's API as the
person ``liuhen login`` signed in (who acts is kept with each change: there is no
``--by``)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from evidence.errors import BadRequest
from evidence.strict_json import format_time
from evidence.wire import (
    ACT_EXEMPTIONS,
    EXEMPTION_WITHDRAW,
    REPORT,
    SUGGESTION_CONFIRM,
    SUGGESTION_REJECT,
    SUGGESTIONS,
    UNASSIGNED,
)
from ingest.compliance.imports import parse_moment
from ingest.compliance.report import DEFAULT_LIMIT
from liuhen import compliance_output as output
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.cli_numbers import a_count, an_id
from liuhen.settings import Settings
from storage.compliance_records import ExemptionReason

__all__ = ["add_compliance_commands", "moment"]


def moment(settings: Settings, text: str) -> str:
    """A time given on the command line, as the API takes it; one without an offset is
    the agency's (``compliance.utc_offset_hours``)."""
    try:
        when: datetime = parse_moment(text, settings.compliance.zone)
    except ValueError:
        raise BadRequest(f"{text!r} is not a time such as 2026-03-12T09:30:00+08:00") from None
    return format_time(when)


async def _report(settings: Settings, args: argparse.Namespace) -> int:
    query = {
        "agency": args.agency,
        "act_type": args.act_type,
        "officer": args.officer,
        "since": args.since,
        "until": args.until,
        "limit": args.limit,
    }
    async with signed_in(settings) as client:
        report = await client.json("GET", REPORT, query=query)
    if args.json:
        output.print_json(report)
    elif args.csv:
        sys.stdout.write(output.report_csv(report))
    else:
        output.print_report(report)
    return 0


async def _suggestions(settings: Settings, args: argparse.Namespace) -> int:
    query = {"case_number": args.case_number, "act_id": args.act}
    async with signed_in(settings) as client:
        shown = (await client.json("GET", SUGGESTIONS, query=query))["suggestions"]
    if args.json:
        output.print_json({"suggestions": shown})
    else:
        output.print_suggestions(shown)
    return 0


async def _decide(settings: Settings, args: argparse.Namespace, path: str) -> int:
    decision: dict[str, Any] = {"evidence_id": args.evidence_id, "act_id": args.act_id}
    if args.note is not None:
        decision["note"] = args.note
    async with signed_in(settings) as client:
        record = await client.json("POST", path, body=decision)
    print(f"{record['evidence_id']} {record['decision']} for act {record['act_id']}")
    return 0


async def _confirm(settings: Settings, args: argparse.Namespace) -> int:
    return await _decide(settings, args, SUGGESTION_CONFIRM)


async def _reject(settings: Settings, args: argparse.Namespace) -> int:
    return await _decide(settings, args, SUGGESTION_REJECT)


async def _exempt(settings: Settings, args: argparse.Namespace) -> int:
    exemption: dict[str, Any] = {
        "reason": args.reason,
        "approver": args.approver,
        "approved_at": moment(settings, args.approved_at),
    }
    if args.note is not None:
        exemption["note"] = args.note
    async with signed_in(settings) as client:
        path = ACT_EXEMPTIONS.format(act_id=args.act_id)
        record = await client.json("POST", path, body=exemption)
    print(f"exemption {record['exemption_id']} of act {record['act_id']} recorded")
    return 0


async def _withdraw(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        path = EXEMPTION_WITHDRAW.format(exemption_id=args.exemption_id)
        record = await client.json("POST", path, body={"reason": args.reason})
    print(f"exemption {record['exemption_id']} of act {record['act_id']} withdrawn")
    return 0


async def _unassigned(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        found = (await client.json("GET", UNASSIGNED, query={"limit": args.limit}))["recordings"]
    if args.json:
        output.print_json({"recordings": found})
    else:
        output.print_unassigned(found)
    return 0


def _report_command(compliance: Any) -> None:
    report = command(compliance, "report", _report, "the supervisor's report")
    shape = report.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument("--csv", action="store_true", help="the counts as one CSV table")
    for name in ("--agency", "--act-type", "--officer"):
        report.add_argument(name)
    report.add_argument("--since", help="a date or time; acts starting at or after it")
    report.add_argument("--until", help="a date or time; acts starting before it")
    report.add_argument(
        "--limit", type=a_count, default=DEFAULT_LIMIT, help="cases and flags listed"
    )


def _suggestion_commands(compliance: Any) -> None:
    suggestions = command(compliance, "suggestions", _suggestions, "recordings suggested for acts")
    which = suggestions.add_mutually_exclusive_group()
    which.add_argument("--case-number")
    which.add_argument("--act", type=an_id)
    suggestions.add_argument("--json", action="store_true")
    for name, run in (("confirm", _confirm), ("reject", _reject)):
        decided = command(compliance, name, run, f"{name} a suggestion (final)")
        decided.add_argument("evidence_id")
        decided.add_argument("act_id", type=an_id)
        decided.add_argument("--note")


def _exemption_commands(compliance: Any) -> None:
    exempted = command(compliance, "exempt", _exempt, "exempt an act whose duty is full")
    exempted.add_argument("act_id", type=an_id)
    exempted.add_argument("--reason", required=True, choices=[r.value for r in ExemptionReason])
    exempted.add_argument("--approver", required=True, help="who approved it")
    exempted.add_argument("--approved-at", required=True, help="when it was approved")
    exempted.add_argument("--note")
    withdrawn = command(compliance, "withdraw", _withdraw, "withdraw an exemption")
    withdrawn.add_argument("exemption_id", type=an_id)
    withdrawn.add_argument("--reason", required=True)


def add_compliance_commands(groups: Any) -> None:
    """Add ``compliance`` (report, suggestions, confirm, reject, exempt, withdraw,
    unassigned) to the ``liuhen`` parser."""
    compliance = group(groups, "compliance", "coverage and the report")
    _report_command(compliance)
    _suggestion_commands(compliance)
    _exemption_commands(compliance)
    listing = command(compliance, "unassigned", _unassigned, "recordings attached to no act")
    listing.add_argument("--limit", type=a_count, default=100)
    listing.add_argument("--json", action="store_true")
