"""``liuhen sessions``: room sessions with their coverage (``list``), and one session's
segments and holes (``show``), on the server host."""

from __future__ import annotations

import argparse
from typing import Any

from ingest.fleet.views import session_json
from ingest.wiring import room_sessions, session_timelines
from liuhen.cli_command import command, group
from liuhen.cli_numbers import a_count
from liuhen.fleet_output import print_room_sessions
from liuhen.report import print_session
from liuhen.server_host import server_books
from liuhen.settings import Settings

__all__ = ["add_session_commands"]


async def _sessions_show(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the session is complete, 1 when it has holes or unstored segments."""
    async with server_books(settings) as parts:
        timeline = await session_timelines(parts).timeline(args.session_id)
    print_session(timeline, as_json=args.json)
    return 0 if timeline["complete"] else 1


async def _sessions_list(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        found = await room_sessions(parts).listing(args.room, args.case_number, args.limit)
    print_room_sessions([session_json(item) for item in found], as_json=args.json)
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
