"""What every group of ``liuhen`` commands is made of: a command is an async function of
the settings and the parsed arguments that returns the exit status."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from typing import Any

from liuhen.settings import Settings

__all__ = ["Command", "command", "group"]

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


def group(groups: Any, name: str, help_text: str) -> Any:
    """A group of commands (``liuhen NAME …``); add commands to it with ``command``."""
    return groups.add_parser(name, help=help_text).add_subparsers(dest="command", required=True)


def command(parent: Any, name: str, run: Command, help_text: str) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = parent.add_parser(name, help=help_text)
    sub.set_defaults(run=run)
    return sub
