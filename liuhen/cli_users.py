"""The ``liuhen users`` commands. An admin manages people through the API, signed in
(``liuhen login``): add one with a first password, list them, set a password, issue an
API token for a program, disable, enable, limit their cases. Only ``add-admin`` works on
the server host, on the data directory (as the service user): the first admin, or another
when every admin is locked out. A token is printed once; the server keeps only its hash."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from evidence.errors import BadRequest
from evidence.wire import USER_ACCESS, USER_DISABLE, USER_ENABLE, USER_PASSWORD, USER_TOKEN, USERS
from ingest.access.permissions import USER_ROLES
from ingest.wiring import user_admin
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.server_host import server_books
from liuhen.settings import Settings
from liuhen.users_output import print_state, print_token, print_users

__all__ = ["add_user_commands"]


def _password(args: argparse.Namespace, whose: str) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise BadRequest("no password on standard input")
        return password
    password = getpass.getpass(f"password for {whose}: ")
    if getpass.getpass("again: ") != password:
        raise BadRequest("the two passwords differ")
    return password


async def _add_admin(settings: Settings, args: argparse.Namespace) -> int:
    password = _password(args, args.name)
    async with server_books(settings) as parts:
        users = user_admin(parts)
        await users.add(args.name, "admin", password, "liuhen users add-admin")
        await users.set_password(args.name, password, "liuhen users add-admin", must_change=False)
    print(
        f"admin {args.name} added on the server host; sign in with: liuhen login --name {args.name}"
    )
    return 0


async def _add(settings: Settings, args: argparse.Namespace) -> int:
    person = {"name": args.name, "role": args.role, "password": _password(args, args.name)}
    async with signed_in(settings) as client:
        await client.json("POST", USERS, body=person)
    print(f"user {args.name} ({args.role}) added; they choose their own password at first sign-in")
    return 0


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        found = (await client.json("GET", USERS))["users"]
    print_users(found, settings.compliance.zone, args.json)
    return 0


async def _set_password(settings: Settings, args: argparse.Namespace) -> int:
    body = {"password": _password(args, args.name)}
    async with signed_in(settings) as client:
        answer = await client.json("POST", USER_PASSWORD.format(name=args.name), body=body)
    then = " they choose their own at their next sign-in" if answer["must_change_password"] else ""
    print(f"password of {args.name} set; their sessions are ended.{then}")
    return 0


async def _rotate(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        issued = await client.json("POST", USER_TOKEN.format(name=args.name))
        user = next(u for u in (await client.json("GET", USERS))["users"] if u["name"] == args.name)
    print(f"user {args.name}: every earlier token is refused from now on.")
    if user["disabled_at"] is not None:
        print(f"user {args.name} is disabled: the new token works once they are enabled.")
    print_token(issued, settings.compliance.zone)
    return 0


async def _switch(settings: Settings, args: argparse.Namespace) -> int:
    path = (USER_DISABLE if args.command == "disable" else USER_ENABLE).format(name=args.name)
    async with signed_in(settings) as client:
        user = await client.json("POST", path)
    print_state(user, settings.compliance.zone)
    return 0


async def _access(settings: Settings, args: argparse.Namespace) -> int:
    limited = bool(args.case or args.agency)
    if limited == args.all_cases:
        raise BadRequest("give --all-cases, or the --case and --agency they may see")
    body: dict[str, Any] = {"all_cases": not limited}
    if limited:
        body.update(cases=args.case or [], agencies=args.agency or [])
    async with signed_in(settings) as client:
        access = await client.json("PUT", USER_ACCESS.format(name=args.name), body=body)
    seen = ", ".join([*access["cases"], *(f"agency {a}" for a in access["agencies"])])
    print(f"{args.name} sees {'every case' if access['all_cases'] else seen}")
    return 0


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )


def add_user_commands(groups: Any) -> None:
    users = group(groups, "users", "people who use the API (admins, signed in)")
    admin = command(users, "add-admin", _add_admin, "on the server host: add an admin")
    admin.add_argument("name")
    _password_option(admin)
    add = command(users, "add", _add, "add a person with a first password")
    add.add_argument("name")
    add.add_argument("--role", choices=USER_ROLES, required=True)
    _password_option(add)
    listed = command(users, "list", _list, "every person: role, password, cases, token expiry")
    listed.add_argument("--json", action="store_true")
    password = command(users, "set-password", _set_password, "set a person's password")
    password.add_argument("name")
    _password_option(password)
    rotate = command(users, "rotate", _rotate, "print a new API token; the old one is refused")
    rotate.add_argument("name")
    for name, text in (("disable", "refuse a person everywhere"), ("enable", "let them in again")):
        command(users, name, _switch, text).add_argument("name")
    access = command(users, "access", _access, "which cases a person sees")
    access.add_argument("name")
    access.add_argument("--all-cases", action="store_true")
    access.add_argument("--case", action="append", help="a case number (repeat)")
    access.add_argument("--agency", action="append", help="an agency: all its cases (repeat)")
