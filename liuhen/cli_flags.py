"""``liuhen flags``: what a custodian must look at, through the API: list them, and
resolve one with why (final), as the person signed in."""

from __future__ import annotations

import argparse
from typing import Any

from evidence.wire import FLAG_RESOLVE, FLAGS
from ingest.custody.flags import FlagKind
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.cli_numbers import a_count, an_id
from liuhen.report import print_flags
from liuhen.settings import Settings

__all__ = ["add_flag_commands"]


async def _flags_list(settings: Settings, args: argparse.Namespace) -> int:
    query = {"kind": args.kind, "open": "false" if args.resolved else "true", "limit": args.limit}
    async with signed_in(settings) as client:
        found = (await client.json("GET", FLAGS, query=query))["flags"]
    print_flags(found, as_json=args.json)
    return 0


async def _flags_resolve(settings: Settings, args: argparse.Namespace) -> int:
    path = FLAG_RESOLVE.format(flag_id=args.flag_id)
    async with signed_in(settings) as client:
        flag = await client.json("POST", path, body={"reason": args.reason})
    print(
        f"flag {flag['flag_id']} ({flag['kind']} {flag['subject']}) resolved by {flag['resolved_by']}"
    )
    return 0


def add_flag_commands(groups: Any) -> None:
    flags = group(groups, "flags", "what a custodian must look at")
    listed = command(flags, "list", _flags_list, "open flags (or resolved ones), oldest first")
    listed.add_argument("--kind", choices=[kind.value for kind in FlagKind])
    listed.add_argument("--resolved", action="store_true", help="resolved flags instead")
    listed.add_argument("--limit", type=a_count, default=100)
    listed.add_argument("--json", action="store_true")
    resolve = command(flags, "resolve", _flags_resolve, "resolve a flag, with why (final)")
    resolve.add_argument("flag_id", type=an_id)
    resolve.add_argument("--reason", required=True, help="why it is resolved")
