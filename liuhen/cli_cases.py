"""The catalogue, cases and acts commands of ``liuhen``: ``catalogue``, ``cases`` and
``acts``. Like the other server commands they work on the server's data directory
directly (run them on the server host). Commands that change something name who did it
with ``--by``; it is kept with the change."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from evidence.csv_table import decode_csv
from evidence.errors import BadRequest
from ingest.compliance.acts import ActDraft, edit_act, register_act, register_case
from ingest.compliance.assessment import act_detail, case_coverage
from ingest.compliance.catalogues import current_catalogue, import_catalogue
from ingest.compliance.imports import import_acts, import_cases
from ingest.wiring import compliance_desk
from liuhen import compliance_output as output
from liuhen.cli_command import command, group
from liuhen.cli_compliance import by_argument, moment
from liuhen.cli_numbers import an_id
from liuhen.server_host import acting_actor, acting_name, server_books
from liuhen.settings import Settings
from storage.compliance_records import ImportResult

__all__ = ["add_case_commands"]


def _read_csv(path: Path) -> str:
    try:
        return decode_csv(path.read_bytes())
    except OSError as exc:
        raise BadRequest(f"cannot read {path}: {exc.strerror}") from exc


def _print_import(result: ImportResult) -> None:
    print(
        f"{result.cases_added} case(s) and {result.acts_added} act(s) added, "
        f"{result.acts_unchanged} act(s) already held"
    )


async def _catalogue_export(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        catalogue, _ = await current_catalogue(desk)
    if args.out is None:
        sys.stdout.write(catalogue.to_csv())
    else:
        args.out.write_text(catalogue.to_csv(), "utf-8")
    return 0


async def _catalogue_import(settings: Settings, args: argparse.Namespace) -> int:
    text = _read_csv(args.file)
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        version, _ = await import_catalogue(desk, text, await acting_name(parts, args.by))
    print(f"catalogue version {version.version} in force")
    return 0


async def _cases_add(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        record, new = await register_case(
            desk, args.case_number, args.agency, args.subject, await acting_name(parts, args.by)
        )
    print(f"case {record.case_number} {'registered' if new else 'already registered'}")
    return 0


async def _cases_import(settings: Settings, args: argparse.Namespace) -> int:
    text = _read_csv(args.file)
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        _print_import(await import_cases(desk, text, await acting_name(parts, args.by)))
    return 0


async def _cases_show(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the case is ready for legal review, 1 when it is not."""
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        coverage = await case_coverage(desk, args.case_number)
    if args.json:
        output.print_json(coverage)
    else:
        output.print_case_coverage(coverage)
    return 0 if coverage["ready_for_review"] else 1


def _names(values: list[str] | None) -> tuple[str, ...]:
    return tuple(name for value in values or () for name in value.split(",") if name)


async def _acts_add(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        draft = ActDraft(
            case_number=args.case_number,
            act_type=args.type,
            started_at=moment(desk, args.start),
            ended_at=moment(desk, args.end),
            place=args.place,
            officers=_names(args.officer),
            devices=_names(args.device),
            reference=args.reference,
        )
        record, new = await register_act(desk, draft, await acting_name(parts, args.by))
    print(f"act {record.act_id} {'registered' if new else 'already registered'}")
    return 0


async def _acts_edit(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        changes: dict[str, Any] = {}
        for name in ("case_number", "place", "reference"):
            if getattr(args, name) is not None:
                changes[name] = getattr(args, name) or None  # "" clears
        if args.type is not None:
            changes["act_type"] = args.type
        if args.start is not None:
            changes["started_at"] = moment(desk, args.start)
        if args.end is not None:
            changes["ended_at"] = moment(desk, args.end)
        if args.officer is not None:
            changes["officers"] = _names(args.officer)
        if args.device is not None:
            changes["devices"] = _names(args.device)
        record = await edit_act(
            desk, args.act_id, changes, await acting_actor(parts, args.by), args.reason
        )
    print(f"act {record.act_id} is at revision {record.revision}")
    return 0


async def _acts_import(settings: Settings, args: argparse.Namespace) -> int:
    text = _read_csv(args.file)
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        _print_import(await import_acts(desk, text, await acting_name(parts, args.by)))
    return 0


async def _acts_show(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        detail = await act_detail(desk, args.act_id)
    if args.json:
        output.print_json(detail)
    else:
        output.print_act(detail)
    return 0


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
    catalogue = group(groups, "catalogue", "the recording-duty catalogue")
    export = command(catalogue, "export", _catalogue_export, "the catalogue in force, as CSV")
    export.add_argument("--out", type=Path, help="write here instead of standard output")
    imported = command(catalogue, "import", _catalogue_import, "replace it from a CSV file")
    imported.add_argument("file", type=Path)
    by_argument(imported)


def _case_commands(groups: Any) -> None:
    cases = group(groups, "cases", "enforcement cases")
    add = command(cases, "add", _cases_add, "register a case")
    add.add_argument("case_number")
    add.add_argument("--agency", required=True, help="执法机关")
    add.add_argument("--subject", help="当事人")
    by_argument(add)
    imported = command(cases, "import", _cases_import, "register cases from a CSV file")
    imported.add_argument("file", type=Path)
    by_argument(imported)
    show = command(
        cases, "show", _cases_show, "a case's acts and their coverage (exit 1: not ready)"
    )
    show.add_argument("case_number")
    show.add_argument("--json", action="store_true")


def _act_commands(groups: Any) -> None:
    acts = group(groups, "acts", "enforcement acts")
    add = command(acts, "add", _acts_add, "register an act of a case")
    _act_fields(add, required=True)
    by_argument(add)
    edit = command(acts, "edit", _acts_edit, "correct an act (kept in its history)")
    edit.add_argument("act_id", type=an_id)
    _act_fields(edit, required=False)
    edit.add_argument("--reason", help="why the act is corrected")
    by_argument(edit)
    imported = command(acts, "import", _acts_import, "register acts from a CSV file")
    imported.add_argument("file", type=Path)
    by_argument(imported)
    show = command(acts, "show", _acts_show, "one act: coverage, suggestions, history")
    show.add_argument("act_id", type=an_id)
    show.add_argument("--json", action="store_true")


def add_case_commands(groups: Any) -> None:
    """Add ``catalogue``, ``cases`` and ``acts`` to the ``liuhen`` parser."""
    _catalogue_commands(groups)
    _case_commands(groups)
    _act_commands(groups)
