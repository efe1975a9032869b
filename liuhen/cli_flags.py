"""``liuhen flags``: what a custodian must look at, on the server host: list them, and
resolve one with who and why (final)."""

from __future__ import annotations

import argparse
from typing import Any

from ingest.custody.flags import FlagKind, flag_json
from ingest.wiring import flag_desk
from liuhen.cli_command import command, group
from liuhen.cli_numbers import a_count, an_id
from liuhen.report import print_flags
from liuhen.server_host import acting_actor, server_books
from liuhen.settings import Settings

__all__ = ["add_flag_commands"]


async def _flags_list(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        found = await flag_desk(parts).find(args.kind, not args.resolved, limit=args.limit)
    print_flags([flag_json(flag) for flag in found], as_json=args.json)
    return 0


async def _flags_resolve(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        flag = await flag_desk(parts).resolve(
            args.flag_id, args.reason, await acting_actor(parts, args.by)
        )
    print(f"flag {flag.flag_id} ({flag.kind} {flag.subject}) resolved by {flag.resolved_by}")
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
    resolve.add_argument("--by", required=True, help="who resolves it (kept with it)")
