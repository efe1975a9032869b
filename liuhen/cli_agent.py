"""``liuhen agent retry``: try held files again now. It works on the agent's journal
directly (run it on the docking station), beside a running agent or not: a running agent
takes the files up within a second, a stopped one when it starts."""

from __future__ import annotations

import argparse
import time
from typing import Any

from evidence.errors import BadRequest, NotFound
from liuhen.cli_numbers import an_id
from liuhen.settings import Settings

__all__ = ["add_agent_commands"]


async def _agent_retry(settings: Settings, args: argparse.Namespace) -> int:
    from agent.journal import Journal

    if bool(args.all) == bool(args.file_ids):
        raise BadRequest("name the held files to retry by id (see 'liuhen agent status'), or --all")
    journal = Journal(settings.agent.journal_path)
    await journal.open()
    try:
        retried = await journal.retry_held(
            time.time(), "tried again: an operator asked", tuple(args.file_ids)
        )
    finally:
        await journal.close()
    missing = sorted(set(args.file_ids) - set(retried))
    if missing:
        raise NotFound(f"not held: file {', '.join(map(str, missing))} (see 'liuhen agent status')")
    print(f"{len(retried)} held file(s) will be tried again now")
    return 0


def add_agent_commands(agent: Any) -> None:
    """Add ``retry`` to the ``liuhen agent`` commands."""
    retry: argparse.ArgumentParser = agent.add_parser(
        "retry", help="try held files again now (the server refused them)"
    )
    retry.set_defaults(run=_agent_retry)
    retry.add_argument(
        "file_ids", type=an_id, nargs="*", metavar="file_id", help="as 'liuhen agent status' shows"
    )
    retry.add_argument("--all", action="store_true", help="every held file")
