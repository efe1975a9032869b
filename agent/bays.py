"""The dock's bay folders (``agent.watch``) must exist, be folders and be readable.

A mistyped bay used to be created empty and watched in silence while the dock copied
footage elsewhere; an unreadable one was watched without a sound. Now either is an error
when the agent starts (``bad_config``, naming every bay at fault) and in ``liuhen agent
check``. Nothing here creates a folder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from evidence.errors import ConfigError

__all__ = ["bay_problem", "check_bays"]


def bay_problem(bay: Path) -> str | None:
    """What is wrong with ``bay``, or None."""
    try:
        if not bay.exists():
            return f"{bay} does not exist (mistyped? the agent creates no bay)"
        if not bay.is_dir():
            return f"{bay} is not a folder"
        with os.scandir(bay) as entries:
            next(entries, None)
    except PermissionError:
        return f"{bay} cannot be read by this user (uid {os.geteuid()})"
    except OSError as exc:
        return f"{bay} cannot be read: {exc.strerror}"
    if not os.access(bay, os.R_OK | os.X_OK):
        return f"{bay} cannot be read by this user (uid {os.geteuid()})"
    return None


def check_bays(bays: Sequence[Path]) -> None:
    """Raise ConfigError naming every bay that is missing, not a folder or unreadable."""
    problems = [problem for bay in bays if (problem := bay_problem(bay)) is not None]
    if not bays:
        problems.append("no bay to watch")
    if problems:
        raise ConfigError(f"agent.watch: {'; '.join(problems)}")
