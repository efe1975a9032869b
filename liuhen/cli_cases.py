"""The catalogue, cases and acts commands of ``liuhen``: ``catalogue``, ``cases`` and
``acts``, through the server's API as the person ``liuhen login`` signed in (who acts is
kept with each change: there is no ``--by``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from evidence.errors import BadRequest
from evidence.wire import (
    ACT,
    ACTS,
    ACTS_IMPORT,
    CASES,
    CASES_IMPORT,
    CATALOGUE,
    COVERAGE,
    CSV_CONTENT_TYPE,
)
from liuhen import compliance_output as output
from liuhen.api_client import ApiClient
from liuhen.cli_command import command, group
from liuhen.cli_compliance import moment
from liuhen.cli_login import signed_in
from liuhen.cli_numbers import an_id
from liuhen.settings import Settings

__all__ = ["add_case_commands"]


def _readable(path: Path) -> Path:
    if not path.is_file():
        raise BadRequest(f"cannot read {path}: no such file")
    return path


async def _import(client: ApiClient, path: str, file: Path) -> None:
    result = await client.upload(
        "POST", path, _readable(file), f"{CSV_CONTENT_TYPE}; charset=utf-8"
    )
    print(
        f"{result['cases_added']} case(s) and {result['acts_added']} act(s) added, "
        f"{result['acts_unchanged']} act(s) already held"
    )


async def _catalogue_export(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        text = (await client.send("GET", CATALOGUE, query={"format": "csv"})).decode("utf-8")
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, "utf-8")
    return 0


async def _catalogue_import(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        csv_type = f"{CSV_CONTENT_TYPE}; charset=utf-8"
        version = await client.upload("PUT", CATALOGUE, _readable(args.file), csv_type)
    print(f"catalogue version {version['version']} in force")
    return 0


async def _cases_add(settings: Settings, args: argparse.Namespace) -> int:
    case: dict[str, Any] = {"case_number": args.case_number, "agency": args.agency}
    if args.subject is not None:
        case["subject"] = args.subject
    async with signed_in(settings) as client:
        record = await client.json("POST", CASES, body=case)
    print(f"case {record['case_number']} {_made(client)}")
    return 0


async def _cases_import(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        await _import(client, CASES_IMPORT, args.file)
    return 0


async def _cases_show(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the case is ready for legal review, 1 when it is not."""
    async with signed_in(settings) as client:
        coverage = await client.json("GET", COVERAGE, query={"case_number": args.case_number})
    if args.json:
        output.print_json(coverage)
    else:
        output.print_case_coverage(coverage)
    return 0 if coverage["ready_for_review"] else 1


def _made(client: ApiClient) -> str:
    return "registered" if client.status == 201 else "already registered"


def _names(values: list[str] | None) -> list[str]:
    return [name for value in values or () for name in value.split(",") if name]


async def _acts_add(settings: Settings, args: argparse.Namespace) -> int:
    act: dict[str, Any] = {
        "case_number": args.case_number,
        "act_type": args.type,
        "started_at": moment(settings, args.start),
        "ended_at": moment(settings, args.end),
        "officers": _names(args.officer),
        "devices": _names(args.device),
    }
    for name in ("place", "reference"):
        if getattr(args, name) is not None:
            act[name] = getattr(args, name)
    async with signed_in(settings) as client:
        record = await client.json("POST", ACTS, body=act)
    print(f"act {record['act_id']} {_made(client)}")
    return 0


def _changes(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("case_number", "place", "reference"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name) or None  # "" clears
    if args.type is not None:
        changes["act_type"] = args.type
    if args.start is not None:
        changes["started_at"] = moment(settings, args.start)
    if args.end is not None:
        changes["ended_at"] = moment(settings, args.end)
    if args.officer is not None:
        changes["officers"] = _names(args.officer)
    if args.device is not None:
        changes["devices"] = _names(args.device)
    return changes


async def _acts_edit(settings: Settings, args: argparse.Namespace) -> int:
    path = ACT.format(act_id=args.act_id)
    async with signed_in(settings) as client:
        held = await client.json("GET", path)  # the edit names the revision it was made on
        edit: dict[str, Any] = {"revision": held["revision"], "changes": _changes(settings, args)}
        if args.reason is not None:
            edit["reason"] = args.reason
        record = await client.json("PATCH", path, body=edit)
    print(f"act {record['act_id']} is at revision {record['revision']}")
    return 0


async def _acts_import(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        await _import(client, ACTS_IMPORT, args.file)
    return 0


async def _acts_show(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        detail = await client.json("GET", ACT.format(act_id=args.act_id))
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


def _case_commands(groups: Any) -> None:
    cases = group(groups, "cases", "enforcement cases")
    add = command(cases, "add", _cases_add, "register a case")
    add.add_argument("case_number")
    add.add_argument("--agency", required=True, help="执法机关")
    add.add_argument("--subject", help="当事人")
    imported = command(cases, "import", _cases_import, "register cases from a CSV file")
    imported.add_argument("file", type=Path)
    show = command(
        cases, "show", _cases_show, "a case's acts and their coverage (exit 1: not ready)"
    )
    show.add_argument("case_number")
    show.add_argument("--json", action="store_true")


def _act_commands(groups: Any) -> None:
    acts = group(groups, "acts", "enforcement acts")
    add = command(acts, "add", _acts_add, "register an act of a case")
    _act_fields(add, required=True)
    edit = command(acts, "edit", _acts_edit, "correct an act (kept in its history)")
    edit.add_argument("act_id", type=an_id)
    _act_fields(edit, required=False)
    edit.add_argument("--reason", help="why the act is corrected")
    imported = command(acts, "import", _acts_import, "register acts from a CSV file")
    imported.add_argument("file", type=Path)
    show = command(acts, "show", _acts_show, "one act: coverage, suggestions, history")
    show.add_argument("act_id", type=an_id)
    show.add_argument("--json", action="store_true")


def add_case_commands(groups: Any) -> None:
    """Add ``catalogue``, ``cases`` and ``acts`` to the ``liuhen`` parser."""
    _catalogue_commands(groups)
    _case_commands(groups)
    _act_commands(groups)
