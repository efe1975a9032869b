"""Data directories only their owner can read: the server's and the agent's.

Everything Liuhen writes under a data directory (keys, the index or journal with their
WAL and SHM files, partial uploads, the store, review copies being made) is for the
service user alone: directories 0700, files 0600, stored originals 0400. Modes are set
explicitly, never left to the process umask, which a service manager or a shell may set
to anything.

A data directory found open to other users (made by an earlier version under umask 022,
or by hand) is tightened at start: group and other bits are taken off everything beneath
it, and each kind of change is logged with a count and an example. A data directory
that is already 0700 is not walked: nobody else can reach what is inside it, and a large
store is not read at every start.
"""

from __future__ import annotations

import logging
import os
import stat
from collections import Counter
from pathlib import Path

from evidence.errors import ConfigError

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "ensure_private_file",
    "make_private",
    "make_private_dirs",
    "secure_data_dir",
    "tighten",
    "write_private",
]

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_OTHERS = 0o077


def make_private_dirs(path: Path) -> list[Path]:
    """``mkdir -p`` whose every new directory is 0700; return them, outermost first."""
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    made = []
    for directory in reversed(missing):
        try:
            os.mkdir(directory, PRIVATE_DIR)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(directory, PRIVATE_DIR)  # mkdir's mode passes through the umask
        made.append(directory)
    return made


def write_private(path: Path, data: bytes) -> None:
    """Write a new file (never replacing one) readable by its owner only, synced."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(fd, PRIVATE_FILE)  # os.open's mode passes through the umask
        handle.write(data)
        handle.flush()
        os.fsync(fd)


def ensure_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if it is missing (never truncating one that is
    there), so what opens it next inherits the mode; take others' bits off if present."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        make_private(path)
        return
    os.fchmod(fd, PRIVATE_FILE)
    os.close(fd)


def tighten(path: Path) -> tuple[int, int] | None:
    """Take group and other bits off ``path`` (not following a symbolic link); return
    (old mode, new mode) if it changed."""
    held = os.lstat(path).st_mode
    if stat.S_ISLNK(held) or not held & _OTHERS:
        return None
    old = stat.S_IMODE(held)
    os.chmod(path, old & ~_OTHERS)
    return old, old & ~_OTHERS


def make_private(path: Path) -> None:
    """Tighten one file, saying so if it was open to others."""
    changed = tighten(path)
    if changed is not None:
        log.warning("made %s private, %04o -> %04o", path, *changed)


def _tighten_tree(root: Path) -> Counter[tuple[str, int, int]]:
    changes: Counter[tuple[str, int, int]] = Counter()
    examples: dict[tuple[str, int, int], Path] = {}
    for folder, dirs, files in os.walk(root):
        for kind, names in (("directory", dirs), ("file", files)):
            for name in names:
                path = Path(folder) / name
                try:
                    changed = tighten(path)
                except OSError as exc:
                    log.error("cannot make %s private: %s; fix it by hand", path, exc.strerror)
                    continue
                if changed is not None:
                    changes[(kind, *changed)] += 1
                    examples.setdefault((kind, *changed), path)
    for (kind, old, new), count in sorted(changes.items()):
        log.warning(
            "made %d %s(s) private, %04o -> %04o (for one, %s)",
            count,
            kind,
            old,
            new,
            examples[(kind, old, new)],
        )
    return changes


def secure_data_dir(root: Path) -> None:
    """Create ``root`` 0700, or make it so; if it was open to other users, tighten
    everything beneath it and log what changed."""
    make_private_dirs(root)
    root = root.resolve()  # a data directory may be a link to where the disk is
    try:
        changed = tighten(root)
    except OSError as exc:
        raise ConfigError(
            f"cannot make the data directory {root} private: {exc.strerror}; "
            "run Liuhen as the user who owns it"
        ) from exc
    if changed is None:
        return
    log.warning(
        "data directory %s was open to other users (%04o); making it and everything in it "
        "private to its owner",
        root,
        changed[0],
    )
    _tighten_tree(root)
