"""The compliance commands of ``liuhen``: the catalogue, cases and acts, suggestions,
exemptions, unassigned recordings and the report. Like the other server commands they
work on the server's data directory directly (run them on the server host). Commands
that change something name who did it with ``--by``; it is kept with the change."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence.csv_table import decode_csv
from evidence.errors import BadRequest
from evidence.identifiers import EvidenceId
from ingest.compliance import views
from ingest.compliance.acts import ActDraft, edit_act, register_act, register_case
from ingest.compliance.assessment import act_detail, case_coverage
from ingest.compliance.catalogues import current_catalogue, import_catalogue
from ingest.compliance.exemptions import exempt, withdraw
from ingest.compliance.forms import when_given
from ingest.compliance.imports import import_acts, import_cases, parse_moment
from ingest.compliance.matching import decide, list_suggestions, unassigned
from ingest.compliance.report import DEFAULT_LIMIT, ReportFilters, build_report
from ingest.context import ServerContext
from liuhen import compliance_output as output
from liuhen.cli_numbers import a_count, an_id
from liuhen.server_host import acting_user, server_books
from liuhen.settings import Settings
from storage.compliance_records import Decision, ExemptionReason, ImportResult

__all__ = ["add_compliance_commands"]

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


def _read_csv(path: Path) -> str:
    try:
        return decode_csv(path.read_bytes())
    except OSError as exc:
        raise BadRequest(f"cannot read {path}: {exc.strerror}") from exc


def _moment(ctx: ServerContext, text: str) -> datetime:
    try:
        return parse_moment(text, ctx.compliance.zone)
    except ValueError:
        raise BadRequest(f"{text!r} is not a time such as 2026-03-12T09:30:00+08:00") from None


def _print_import(result: ImportResult) -> None:
    print(
        f"{result.cases_added} case(s) and {result.acts_added} act(s) added, "
        f"{result.acts_unchanged} act(s) already held"
    )


async def _catalogue_export(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        catalogue, _ = await current_catalogue(ctx)
    if args.out is None:
        sys.stdout.write(catalogue.to_csv())
    else:
        args.out.write_text(catalogue.to_csv(), "utf-8")
    return 0


async def _catalogue_import(settings: Settings, args: argparse.Namespace) -> int:
    text = _read_csv(args.file)
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        version, _ = await import_catalogue(ctx, text, by.name)
    print(f"catalogue version {version.version} in force")
    return 0


async def _cases_add(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        record, new = await register_case(ctx, args.case_number, args.agency, args.subject, by.name)
    print(f"case {record.case_number} {'registered' if new else 'already registered'}")
    return 0


async def _cases_import(settings: Settings, args: argparse.Namespace) -> int:
    text = _read_csv(args.file)
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        _print_import(await import_cases(ctx, text, by.name))
    return 0


async def _cases_show(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the case is ready for legal review, 1 when it is not."""
    async with server_books(settings) as ctx:
        coverage = await case_coverage(ctx, args.case_number)
    if args.json:
        output.print_json(coverage)
    else:
        output.print_case_coverage(coverage)
    return 0 if coverage["ready_for_review"] else 1


def _names(values: list[str] | None) -> tuple[str, ...]:
    return tuple(name for value in values or () for name in value.split(",") if name)


async def _acts_add(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        draft = ActDraft(
            case_number=args.case_number,
            act_type=args.type,
            started_at=_moment(ctx, args.start),
            ended_at=_moment(ctx, args.end),
            place=args.place,
            officers=_names(args.officer),
            devices=_names(args.device),
            reference=args.reference,
        )
        record, new = await register_act(ctx, draft, by.name)
    print(f"act {record.act_id} {'registered' if new else 'already registered'}")
    return 0


async def _acts_edit(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        changes: dict[str, Any] = {}
        for name in ("case_number", "place", "reference"):
            if getattr(args, name) is not None:
                changes[name] = getattr(args, name) or None  # "" clears
        if args.type is not None:
            changes["act_type"] = args.type
        if args.start is not None:
            changes["started_at"] = _moment(ctx, args.start)
        if args.end is not None:
            changes["ended_at"] = _moment(ctx, args.end)
        if args.officer is not None:
            changes["officers"] = _names(args.officer)
        if args.device is not None:
            changes["devices"] = _names(args.device)
        record = await edit_act(ctx, args.act_id, changes, by.name, args.reason)
    print(f"act {record.act_id} is at revision {record.revision}")
    return 0


async def _acts_import(settings: Settings, args: argparse.Namespace) -> int:
    text = _read_csv(args.file)
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        _print_import(await import_acts(ctx, text, by.name))
    return 0


async def _acts_show(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        detail = await act_detail(ctx, args.act_id)
    if args.json:
        output.print_json(detail)
    else:
        output.print_act(detail)
    return 0


async def _report(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        zone = ctx.compliance.zone
        filters = ReportFilters(
            agency=args.agency,
            act_type=args.act_type,
            officer=args.officer,
            since=None if args.since is None else when_given(args.since, zone, "--since"),
            until=None if args.until is None else when_given(args.until, zone, "--until"),
        )
        report = await build_report(ctx, filters, args.limit)
    if args.json:
        output.print_json(report)
    elif args.csv:
        sys.stdout.write(output.report_csv(report))
    else:
        output.print_report(report)
    return 0


async def _suggestions(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        found = await list_suggestions(ctx, case_number=args.case_number, act_id=args.act)
    shown = [views.suggestion_json(s) for s in found]
    if args.json:
        output.print_json({"suggestions": shown})
    else:
        output.print_suggestions(shown)
    return 0


async def _decide(settings: Settings, args: argparse.Namespace, decision: Decision) -> int:
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        record = await decide(
            ctx, EvidenceId(args.evidence_id), args.act_id, decision, by.name, args.note
        )
    print(f"{record.evidence_id} {record.decision} for act {record.act_id}")
    return 0


async def _confirm(settings: Settings, args: argparse.Namespace) -> int:
    return await _decide(settings, args, Decision.CONFIRMED)


async def _reject(settings: Settings, args: argparse.Namespace) -> int:
    return await _decide(settings, args, Decision.REJECTED)


async def _exempt(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        record = await exempt(
            ctx,
            args.act_id,
            ExemptionReason(args.reason),
            args.approver,
            _moment(ctx, args.approved_at),
            args.note,
            by.name,
        )
    print(f"exemption {record.exemption_id} of act {record.act_id} recorded")
    return 0


async def _withdraw(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        record = await withdraw(ctx, args.exemption_id, args.reason, by.name)
    print(f"exemption {record.exemption_id} of act {record.act_id} withdrawn")
    return 0


async def _unassigned(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        found = [views.recording_json(stored) for stored in await unassigned(ctx, args.limit, 0)]
    if args.json:
        output.print_json({"recordings": found})
    else:
        output.print_unassigned(found)
    return 0


def _command(group: Any, name: str, run: Command, help_text: str) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = group.add_parser(name, help=help_text)
    sub.set_defaults(run=run)
    return sub


def _by(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by", required=True, help="who is doing this: a user, not disabled (kept with the change)"
    )


def _act_fields(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument("--case-number", required=required)
    parser.add_argument("--type", required=required, help="act type code or its 事项 name")
    parser.add_argument("--start", required=required, help="RFC 3339; no offset: the agency's")
    parser.add_argument("--end", required=required)
    parser.add_argument("--place")
    parser.add_argument("--officer", action="append", help="officer id (repeat, or a,b)")
    parser.add_argument("--device", action="append", help="device id or camera serial")
    parser.add_argument("--reference", help="the case system's id for the act")


def _catalogue_commands(groups: Any) -> None:
    catalogue = groups.add_parser("catalogue", help="the recording-duty catalogue").add_subparsers(
        dest="command", required=True
    )
    export = _command(catalogue, "export", _catalogue_export, "the catalogue in force, as CSV")
    export.add_argument("--out", type=Path, help="write here instead of standard output")
    imported = _command(catalogue, "import", _catalogue_import, "replace it from a CSV file")
    imported.add_argument("file", type=Path)
    _by(imported)


def _case_commands(groups: Any) -> None:
    cases = groups.add_parser("cases", help="enforcement cases").add_subparsers(
        dest="command", required=True
    )
    add = _command(cases, "add", _cases_add, "register a case")
    add.add_argument("case_number")
    add.add_argument("--agency", required=True, help="执法机关")
    add.add_argument("--subject", help="当事人")
    _by(add)
    imported = _command(cases, "import", _cases_import, "register cases from a CSV file")
    imported.add_argument("file", type=Path)
    _by(imported)
    show = _command(
        cases, "show", _cases_show, "a case's acts and their coverage (exit 1: not ready)"
    )
    show.add_argument("case_number")
    show.add_argument("--json", action="store_true")


def _act_commands(groups: Any) -> None:
    acts = groups.add_parser("acts", help="enforcement acts").add_subparsers(
        dest="command", required=True
    )
    add = _command(acts, "add", _acts_add, "register an act of a case")
    _act_fields(add, required=True)
    _by(add)
    edit = _command(acts, "edit", _acts_edit, "correct an act (kept in its history)")
    edit.add_argument("act_id", type=an_id)
    _act_fields(edit, required=False)
    edit.add_argument("--reason", help="why the act is corrected")
    _by(edit)
    imported = _command(acts, "import", _acts_import, "register acts from a CSV file")
    imported.add_argument("file", type=Path)
    _by(imported)
    show = _command(acts, "show", _acts_show, "one act: coverage, suggestions, history")
    show.add_argument("act_id", type=an_id)
    show.add_argument("--json", action="store_true")


def _compliance_commands(groups: Any) -> None:
    compliance = groups.add_parser("compliance", help="coverage and the report").add_subparsers(
        dest="command", required=True
    )
    report = _command(compliance, "report", _report, "the supervisor's report")
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
    suggestions = _command(compliance, "suggestions", _suggestions, "recordings suggested for acts")
    which = suggestions.add_mutually_exclusive_group()
    which.add_argument("--case-number")
    which.add_argument("--act", type=an_id)
    suggestions.add_argument("--json", action="store_true")
    for name, run in (("confirm", _confirm), ("reject", _reject)):
        decided = _command(compliance, name, run, f"{name} a suggestion (final)")
        decided.add_argument("evidence_id")
        decided.add_argument("act_id", type=an_id)
        decided.add_argument("--note")
        _by(decided)
    exempted = _command(compliance, "exempt", _exempt, "exempt an act whose duty is full")
    exempted.add_argument("act_id", type=an_id)
    exempted.add_argument("--reason", required=True, choices=[r.value for r in ExemptionReason])
    exempted.add_argument("--approver", required=True, help="who approved it")
    exempted.add_argument("--approved-at", required=True, help="when it was approved")
    exempted.add_argument("--note")
    _by(exempted)
    withdrawn = _command(compliance, "withdraw", _withdraw, "withdraw an exemption")
    withdrawn.add_argument("exemption_id", type=an_id)
    withdrawn.add_argument("--reason", required=True)
    _by(withdrawn)
    listing = _command(compliance, "unassigned", _unassigned, "recordings attached to no act")
    listing.add_argument("--limit", type=a_count, default=100)
    listing.add_argument("--json", action="store_true")


def add_compliance_commands(groups: Any) -> None:
    """Add ``catalogue``, ``cases``, ``acts`` and ``compliance`` to the ``liuhen`` parser."""
    _catalogue_commands(groups)
    _case_commands(groups)
    _act_commands(groups)
    _compliance_commands(groups)
