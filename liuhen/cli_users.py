"""The ``liuhen users`` commands: people who use the API and their tokens. Like the other
server commands they work on the server's data directory directly (run them on the
server host, as the service user). A token is printed once and kept only as its hash."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime, timezone
from typing import Any

from ingest.admin import add_user, disable_user, enable_user, list_users, rotate_user_token
from ingest.auth import USER_ROLES, IssuedToken
from liuhen.server_host import server_books
from liuhen.settings import Settings
from storage.records import UserListing, UserRecord

__all__ = ["add_user_commands"]

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


def _shown(moment: datetime | None, zone: timezone) -> str:
    return "-" if moment is None else moment.astimezone(zone).isoformat(timespec="minutes")


def _print_token(issued: IssuedToken, zone: timezone) -> None:
    print(f"API token (shown once, keep it safe; expires {_shown(issued.expires_at, zone)}):")
    print(issued.token)


async def _users_add(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        issued = await add_user(ctx.index, args.name, args.role, settings.server.user_token_ttl)
    print(f"user {args.name} ({args.role}) added.")
    _print_token(issued, settings.compliance.zone)
    return 0


async def _users_rotate(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        issued = await rotate_user_token(ctx.index, args.name, settings.server.user_token_ttl)
        user = await ctx.index.credentials.get_user(args.name)
    print(f"user {args.name}: every earlier token is refused from now on.")
    if user is not None and user.disabled_at is not None:
        print(f"user {args.name} is disabled: the new token works once they are enabled.")
    _print_token(issued, settings.compliance.zone)
    return 0


def _print_state(user: UserRecord, zone: timezone) -> None:
    state = f"disabled since {_shown(user.disabled_at, zone)}" if user.disabled_at else "enabled"
    print(f"user {user.name} ({user.role}) is {state}")


async def _users_disable(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        user = await disable_user(ctx.index, args.name)
    _print_state(user, settings.compliance.zone)
    return 0


async def _users_enable(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        user = await enable_user(ctx.index, args.name)
    _print_state(user, settings.compliance.zone)
    return 0


def _user_row(item: UserListing, zone: timezone, now: datetime) -> dict[str, Any]:
    user, expires = item.user, item.token_expires_at
    return {
        "name": user.name,
        "role": user.role,
        "created": _shown(user.created_at, zone),
        "disabled": None if user.disabled_at is None else _shown(user.disabled_at, zone),
        "token_expires": None if expires is None else _shown(expires, zone),
        # None: no token at all (nothing expired; 'liuhen users rotate' issues one)
        "token_expired": None if expires is None else expires <= now,
    }


def _print_users(found: Sequence[UserListing], zone: timezone, as_json: bool) -> None:
    now = datetime.now(UTC)
    table = [_user_row(item, zone, now) for item in found]
    if as_json:
        print(json.dumps({"users": table}, ensure_ascii=False, indent=2))
        return
    print("name\trole\tcreated\tdisabled\ttoken expires")
    for row in table:
        expires = (row["token_expires"] or "- (no token)") + (
            " (expired)" if row["token_expired"] else ""
        )
        print(
            f"{row['name']}\t{row['role']}\t{row['created']}\t{row['disabled'] or '-'}\t{expires}"
        )


async def _users_list(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        found = await list_users(ctx.index)
    _print_users(found, settings.compliance.zone, args.json)
    return 0


def _command(group: Any, name: str, run: Command, help_text: str) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = group.add_parser(name, help=help_text)
    sub.set_defaults(run=run)
    return sub


def add_user_commands(groups: Any) -> None:
    users = groups.add_parser("users", help="people who use the API").add_subparsers(
        dest="command", required=True
    )
    add = _command(users, "add", _users_add, "add a person and print their API token")
    add.add_argument("name")
    add.add_argument("--role", choices=USER_ROLES, required=True)
    listed = _command(
        users, "list", _users_list, "every person: role, created, disabled, token expiry"
    )
    listed.add_argument("--json", action="store_true")
    rotate = _command(
        users, "rotate", _users_rotate, "print a new API token; the old one is refused at once"
    )
    rotate.add_argument("name")
    disable = _command(users, "disable", _users_disable, "refuse a person on every request")
    disable.add_argument("name")
    enable = _command(users, "enable", _users_enable, "let a disabled person in again")
    enable.add_argument("name")
