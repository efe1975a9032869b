"""``liuhen login``, ``logout`` and ``whoami``: a person's session on a server, kept by
``session_file`` for every command that acts through the API (``signed_in``). The
password is asked for with getpass, or read from standard input for scripts
(``--password-stdin``: the first line; a second line is the new password when an admin's
first one must be changed)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from evidence.errors import BadRequest, LiuhenError
from evidence.wire import SIGN_IN, SIGN_IN_PASSWORD
from liuhen import session_file
from liuhen.api_client import ApiClient, api_client
from liuhen.settings import Settings

__all__ = ["add_login_commands", "default_server", "signed_in"]


def default_server(settings: Settings) -> str:
    """The server this host's configuration serves (``server.host``, ``server.port``)."""
    server = settings.server
    scheme = "https" if server.tls_certificate is not None else "http"
    return f"{scheme}://{server.host}:{server.port}"


@asynccontextmanager
async def signed_in(settings: Settings) -> AsyncIterator[ApiClient]:
    """A client of the server ``liuhen login`` signed in to, with the saved session."""
    saved = session_file.load()
    async with api_client(saved.server, saved.token) as client:
        yield client


def _line(prompt: str, args: argparse.Namespace, secret: bool) -> str:
    if args.password_stdin:
        text = sys.stdin.readline().rstrip("\r\n")
        if not text:
            raise BadRequest(f"no {prompt.rstrip(': ')} on standard input")
        return text
    return getpass.getpass(prompt) if secret else input(prompt)


def _new_password(args: argparse.Namespace) -> str:
    first = _line("new password: ", args, secret=True)
    if not args.password_stdin and getpass.getpass("new password again: ") != first:
        raise BadRequest("the two new passwords differ")
    return first


async def _sign_in(client: ApiClient, name: str, password: str) -> dict[str, Any]:
    answer: dict[str, Any] = await client.json(
        "POST", SIGN_IN, body={"name": name, "password": password}
    )
    return answer


async def _login(settings: Settings, args: argparse.Namespace) -> int:
    server = args.server or default_server(settings)
    name = args.name or _line("name: ", args, secret=False)
    password = _line("password: ", args, secret=True)
    async with api_client(server) as anonymous:
        session = await _sign_in(anonymous, name, password)
        if session["must_change_password"]:
            print("an admin set this password: choose your own now", file=sys.stderr)
            new = _new_password(args)
            async with api_client(server, session["token"]) as first:
                change = {"current_password": password, "new_password": new}
                await first.json("PUT", SIGN_IN_PASSWORD, body=change)
            session = await _sign_in(anonymous, name, new)
    saved = session_file.SavedSession(server, name, session["token"], session["expires_at"])
    path = session_file.save(saved)
    print(
        f"signed in to {server} as {session['name']} ({session['role']}) until "
        f"{session['expires_at']}, or {session['idle_minutes']} minutes unused; kept in {path}"
    )
    return 0


async def _logout(settings: Settings, args: argparse.Namespace) -> int:
    try:
        saved = session_file.load()
    except LiuhenError:
        print("not signed in")
        return 0
    try:
        async with api_client(saved.server, saved.token) as client:
            await client.json("DELETE", SIGN_IN)
    except LiuhenError as exc:  # ended already, or the server is away: forget it all the same
        print(f"the server did not end the session ({exc.code}); forgetting it here")
    session_file.forget()
    print(f"signed out of {saved.server}")
    return 0


def _cases(access: dict[str, Any]) -> str:
    if access["all_cases"]:
        return "every case"
    named = [*access["cases"], *(f"agency {a}" for a in access["agencies"])]
    return ", ".join(named) or "no case"


async def _whoami(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        me = await client.json("GET", SIGN_IN)
    print(
        f"{me['name']} ({me['role']}) on {client.server}; sees {_cases(me['access'])}; "
        f"session until {me['expires_at']}"
    )
    return 0


def add_login_commands(groups: Any) -> None:
    login = groups.add_parser("login", help="sign in to a server (a session for every command)")
    login.set_defaults(run=_login)
    login.add_argument("--server", help="its address, e.g. https://liuhen.example:8740")
    login.add_argument("--name", help="your user name (asked for if not given)")
    login.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    logout = groups.add_parser("logout", help="end the session and forget it")
    logout.set_defaults(run=_logout)
    whoami = groups.add_parser("whoami", help="who is signed in, where, and which cases they see")
    whoami.set_defaults(run=_whoami)
