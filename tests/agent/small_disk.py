"""A small real file system for a test: a tmpfs of a given size mounted on a folder, so
the agent meets a full disk for real. Needs root (and a kernel that lets the container
mount); otherwise the test is skipped, saying why."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["fill", "small_disk"]


@contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    """Mount a ``size`` tmpfs (``"64k"``, ``"8m"``) on ``path`` for the block, with what
    the folder held copied onto it (an agent's keys, say)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system for the test needs root")
    kept = Path(tempfile.mkdtemp(prefix="small-disk-"))
    shutil.copytree(path, kept, dirs_exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    shutil.copytree(kept, path, dirs_exist_ok=True)
    shutil.rmtree(kept)
    try:
        yield path
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=False)


def fill(path: Path, leave: int = 0) -> Path:
    """Fill the file system ``path`` is on with one file, leaving about ``leave`` bytes."""
    filler = path / "filler"
    stat = os.statvfs(path)
    size = max(0, stat.f_bavail * stat.f_frsize - leave)
    with open(filler, "wb") as out, contextlib.suppress(OSError):  # full: what we wanted
        out.write(b"\0" * size)
    return filler
