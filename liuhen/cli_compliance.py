"""The ``liuhen compliance`` commands: the report, suggestions (confirm, reject),
exemptions (exempt, withdraw) and unassigned recordings. Like the other server commands
they work on the server's data directory directly (run them on the server host).
Commands that change something name who did it with ``--by``; it is kept with the
change."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from evidence.errors import BadRequest
from evidence.identifiers import EvidenceId
from ingest.compliance import views
from ingest.compliance.act_matching import decide, list_suggestions, unassigned
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.exemptions import exempt, withdraw
from ingest.compliance.forms import when_given
from ingest.compliance.imports import parse_moment
from ingest.compliance.report import DEFAULT_LIMIT, ReportFilters, build_report
from ingest.wiring import compliance_desk
from liuhen import compliance_output as output
from liuhen.cli_command import command, group
from liuhen.cli_numbers import a_count, an_id
from liuhen.server_host import acting_actor, server_books
from liuhen.settings import Settings
from storage.compliance_records import Decision, ExemptionReason

__all__ = ["add_compliance_commands", "by_argument", "moment"]


def moment(desk: ComplianceDesk, text: str) -> datetime:
    """A time given on the command line; one without an offset is the agency's."""
    try:
        return parse_moment(text, desk.settings.zone)
    except ValueError:
        raise BadRequest(f"{text!r} is not a time such as 2026-03-12T09:30:00+08:00") from None


async def _report(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        zone = desk.settings.zone
        filters = ReportFilters(
            agency=args.agency,
            act_type=args.act_type,
            officer=args.officer,
            since=None if args.since is None else when_given(args.since, zone, "--since"),
            until=None if args.until is None else when_given(args.until, zone, "--until"),
        )
        report = await build_report(desk, filters, args.limit)
    if args.json:
        output.print_json(report)
    elif args.csv:
        sys.stdout.write(output.report_csv(report))
    else:
        output.print_report(report)
    return 0


async def _suggestions(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        found = await list_suggestions(desk, case_number=args.case_number, act_id=args.act)
    shown = [views.suggestion_json(s) for s in found]
    if args.json:
        output.print_json({"suggestions": shown})
    else:
        output.print_suggestions(shown)
    return 0


async def _decide(settings: Settings, args: argparse.Namespace, decision: Decision) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        record = await decide(
            desk,
            EvidenceId(args.evidence_id),
            args.act_id,
            decision,
            await acting_actor(parts, args.by),
            args.note,
        )
    print(f"{record.evidence_id} {record.decision} for act {record.act_id}")
    return 0


async def _confirm(settings: Settings, args: argparse.Namespace) -> int:
    return await _decide(settings, args, Decision.CONFIRMED)


async def _reject(settings: Settings, args: argparse.Namespace) -> int:
    return await _decide(settings, args, Decision.REJECTED)


async def _exempt(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        record = await exempt(
            desk,
            args.act_id,
            ExemptionReason(args.reason),
            args.approver,
            moment(desk, args.approved_at),
            args.note,
            await acting_actor(parts, args.by),
        )
    print(f"exemption {record.exemption_id} of act {record.act_id} recorded")
    return 0


async def _withdraw(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        record = await withdraw(
            desk, args.exemption_id, args.reason, await acting_actor(parts, args.by)
        )
    print(f"exemption {record.exemption_id} of act {record.act_id} withdrawn")
    return 0


async def _unassigned(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        found = [views.recording_json(stored) for stored in await unassigned(desk, args.limit, 0)]
    if args.json:
        output.print_json({"recordings": found})
    else:
        output.print_unassigned(found)
    return 0


def by_argument(parser: argparse.ArgumentParser) -> None:
    """``--by``: who does what a command changes, kept with the change."""
    parser.add_argument(
        "--by", required=True, help="who is doing this: a user, not disabled (kept with the change)"
    )


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
        by_argument(decided)


def _exemption_commands(compliance: Any) -> None:
    exempted = command(compliance, "exempt", _exempt, "exempt an act whose duty is full")
    exempted.add_argument("act_id", type=an_id)
    exempted.add_argument("--reason", required=True, choices=[r.value for r in ExemptionReason])
    exempted.add_argument("--approver", required=True, help="who approved it")
    exempted.add_argument("--approved-at", required=True, help="when it was approved")
    exempted.add_argument("--note")
    by_argument(exempted)
    withdrawn = command(compliance, "withdraw", _withdraw, "withdraw an exemption")
    withdrawn.add_argument("exemption_id", type=an_id)
    withdrawn.add_argument("--reason", required=True)
    by_argument(withdrawn)


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
