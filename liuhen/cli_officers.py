"""``liuhen officers``: the agency's officer roster (执法证号, 姓名, 所属单位), imported from
a CSV or .xlsx table; the report names officers and ranks units by it. Through the
server's API as the person ``liuhen login`` signed in."""

from __future__ import annotations

import argparse
from typing import Any

from evidence.wire import OFFICERS, OFFICERS_IMPORT
from liuhen import compliance_output as output
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.settings import Settings
from liuhen.table_upload import import_table, table_arguments

__all__ = ["add_officer_commands"]


async def _officers_import(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        done, lines = await import_table(client, "POST", OFFICERS_IMPORT, args)
    output.print_roster_import(done, lines)
    return 0


async def _officers_list(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        listed = (await client.json("GET", OFFICERS))["officers"]
    for officer in listed:
        print(f"{officer['officer_id']}\t{officer['name']}\t{officer.get('unit') or ''}")
    return 0


def add_officer_commands(groups: Any) -> None:
    """Add ``officers`` (import, list) to the ``liuhen`` parser."""
    officers = group(groups, "officers", "the officer roster (执法人员名册)")
    imported = command(officers, "import", _officers_import, "add or correct officers from a table")
    table_arguments(imported)
    command(officers, "list", _officers_list, "every officer: id, name, unit")
