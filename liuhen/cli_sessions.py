"""``liuhen sessions show``: a room session's segments and holes, on the server host."""

from __future__ import annotations

import argparse
from typing import Any

from ingest.wiring import session_timelines
from liuhen.cli_command import command, group
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


def add_session_commands(groups: Any) -> None:
    sessions = group(groups, "sessions", "room sessions")
    session = command(sessions, "show", _sessions_show, "a session's segments and holes")
    session.add_argument("session_id")
    session.add_argument("--json", action="store_true")
