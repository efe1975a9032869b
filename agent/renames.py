"""Was a file on the dock renamed? What the disk says, for the journal's rename rule
(agent/journal_identity.py): a file at ``new`` that looks exactly like a row's file
(size, mtime, inode) is that file renamed only if the row's old name no longer holds
that inode (else it is a second name, a hard link) and both names are on one file
system (an inode number means nothing across two)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from agent.completeness import Observation
from agent.watcher import is_ignored

__all__ = ["find_in_folder", "was_renamed"]


def _device(path: Path) -> int | None:
    """The file system of ``path``, or of its nearest folder still there."""
    for place in (path, *path.parents):
        try:
            return os.stat(place).st_dev
        except FileNotFoundError:
            continue
    return None


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def was_renamed(old: Path, new: Path, seen: Observation) -> bool:
    """Is the file seen at ``new`` (as ``seen``) the one that was at ``old``?"""
    if old == new or _inode(old) == seen.inode:
        return False
    new_device = _device(new)
    return new_device is not None and _device(old.parent) == new_device


def find_in_folder(old: Path, seen: Observation, ignore: Sequence[str]) -> Path | None:
    """The file ``old`` became, if it was renamed within its folder (the journal may not
    have heard yet): the one name there, not ignored, that looks exactly like ``seen``."""
    try:
        names = os.listdir(old.parent)
    except OSError:
        return None
    for name in sorted(names):
        path = old.parent / name
        if path == old or is_ignored(path, ignore):
            continue
        try:
            stat = os.stat(path)
        except OSError:
            continue
        if Observation(stat.st_size, stat.st_mtime_ns, stat.st_ino) == seen:
            return path if was_renamed(old, path, seen) else None
    return None
