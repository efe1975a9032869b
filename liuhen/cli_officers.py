"""``liuhen officers``: the agency's officer roster (执法证号, 姓名, 所属单位), imported from
a CSV or .xlsx table; the report names officers and ranks units by it. Works on the
server's books directly, on the server host, like the other compliance commands."""

from __future__ import annotations

import argparse
from typing import Any

from ingest.compliance.officers import import_roster, roster
from ingest.wiring import compliance_desk
from liuhen import compliance_output as output
from liuhen.cli_cases import read_upload, table_arguments
from liuhen.cli_command import command, group
from liuhen.cli_compliance import by_argument
from liuhen.server_host import acting_name, server_books
from liuhen.settings import Settings

__all__ = ["add_officer_commands"]


async def _officers_import(settings: Settings, args: argparse.Namespace) -> int:
    upload = read_upload(args)
    async with server_books(settings) as parts:
        desk = compliance_desk(parts)
        by = await acting_name(parts, args.by)
        done = await import_roster(desk, upload, by, dry_run=args.dry_run)
    output.print_roster_import(done.to_json(), done.plan.lines())
    return 0


async def _officers_list(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        listed = await roster(compliance_desk(parts))
    for officer in sorted(listed.values(), key=lambda o: o.officer_id):
        print(f"{officer.officer_id}\t{officer.name}\t{officer.unit or ''}")
    return 0


def add_officer_commands(groups: Any) -> None:
    """Add ``officers`` (import, list) to the ``liuhen`` parser."""
    officers = group(groups, "officers", "the officer roster (执法人员名册)")
    imported = command(officers, "import", _officers_import, "add or correct officers from a table")
    table_arguments(imported)
    by_argument(imported)
    command(officers, "list", _officers_list, "every officer: id, name, unit")
