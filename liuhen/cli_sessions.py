"""``liuhen sessions show``: a room session's segments and holes, through the API."""

from __future__ import annotations

import argparse
from typing import Any

from evidence.wire import SESSION
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.report import print_session
from liuhen.settings import Settings

__all__ = ["add_session_commands"]


async def _sessions_show(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the session is complete, 1 when it has holes or unstored segments."""
    async with signed_in(settings) as client:
        timeline = await client.json("GET", SESSION.format(session_id=args.session_id))
    print_session(timeline, as_json=args.json)
    return 0 if timeline["complete"] else 1


def add_session_commands(groups: Any) -> None:
    sessions = group(groups, "sessions", "room sessions")
    session = command(sessions, "show", _sessions_show, "a session's segments and holes")
    session.add_argument("session_id")
    session.add_argument("--json", action="store_true")
