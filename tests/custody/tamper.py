"""Someone with write access to the server's disk, changing what Liuhen keeps: the stored
files, and the index with its append-only triggers dropped."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from tests.conftest import Server


def raw_index(server: Server) -> sqlite3.Connection:
    return sqlite3.connect(server.ctx.config.index_path, isolation_level=None)


def run_sql(
    server: Server, drop: Sequence[str], statement: str, params: Sequence[object] = ()
) -> None:
    """Drop these triggers (as an intruder would), then run ``statement``."""
    raw = raw_index(server)
    try:
        for trigger in drop:
            raw.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        raw.execute(statement, params)
    finally:
        raw.close()


def edit_stored_file(
    path: Path, offset: int | None = None, *, truncate: int | None = None, append: bytes = b""
) -> None:
    path.chmod(0o644)
    with open(path, "r+b") as handle:
        if offset is not None:
            handle.seek(offset)
            byte = handle.read(1)
            handle.seek(offset)
            handle.write(bytes([byte[0] ^ 0x40]))
        if truncate is not None:
            handle.truncate(truncate)
        if append:
            handle.seek(0, 2)
            handle.write(append)
    path.chmod(0o400)
