"""``liuhen sessions``: room sessions with their coverage (``list``), and one session's
segments and holes (``show``), through the API."""

from __future__ import annotations

import argparse
from typing import Any

from evidence.wire import SESSION, SESSIONS
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.cli_numbers import a_count
from liuhen.fleet_output import print_room_sessions
from liuhen.report import print_session
from liuhen.settings import Settings

__all__ = ["add_session_commands"]


async def _sessions_show(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the session is complete, 1 when it has holes or unstored segments."""
    async with signed_in(settings) as client:
        timeline = await client.json("GET", SESSION.format(session_id=args.session_id))
    print_session(timeline, as_json=args.json)
    return 0 if timeline["complete"] else 1


async def _sessions_list(settings: Settings, args: argparse.Namespace) -> int:
    query = {"room": args.room, "case_number": args.case_number, "limit": args.limit}
    async with signed_in(settings) as client:
        found = await client.json("GET", SESSIONS, query=query)
    print_room_sessions(found["sessions"], as_json=args.json)
    return 0


def add_session_commands(groups: Any) -> None:
    sessions = group(groups, "sessions", "room sessions")
    listed = command(sessions, "list", _sessions_list, "room sessions and their coverage")
    listed.add_argument("--room", help="one room's (its id)")
    listed.add_argument("--case-number", help="one case's")
    listed.add_argument("--limit", type=a_count, default=100)
    listed.add_argument("--json", action="store_true", help="what GET /api/v1/sessions answers")
    session = command(sessions, "show", _sessions_show, "a session's segments and holes")
    session.add_argument("session_id")
    session.add_argument("--json", action="store_true")
