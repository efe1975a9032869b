"""fsync helpers: a write is durable only once its data and its directory entry are synced."""

from __future__ import annotations

import os
from pathlib import Path

from runtime.private_files import make_private_dirs

__all__ = ["fsync_dir", "fsync_path", "make_dirs_durably"]


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs_durably(path: Path) -> None:
    """``mkdir -p`` (each new directory 0700) that syncs each parent whose entries it
    changed."""
    for directory in make_private_dirs(path):
        fsync_dir(directory.parent)
