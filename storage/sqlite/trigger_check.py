"""Append-only triggers that went missing between two opens of the index.

The schema script creates every trigger that is missing at each open, so a trigger
dropped to rewrite or delete a row would come back silently at the next start. Before the
script runs, an index that is already at the current version (an upgrade step may drop a
trigger on purpose; the script then makes it again) must hold every trigger the script
and the log's tables define. Each one missing is logged as an error and raised as an
``index_tampered`` flag: the rows it protected may have been changed, and the fixity
audit (``liuhen audit fixity --all``) says which.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from datetime import datetime

from storage.sqlite.log_tables import LOG_TRIGGERS
from storage.sqlite.rows import when

__all__ = ["INDEX_TAMPERED", "flag_missing_triggers", "missing_triggers"]

log = logging.getLogger(__name__)

INDEX_TAMPERED = "index_tampered"
_TRIGGER = re.compile(r"CREATE TRIGGER IF NOT EXISTS (\w+)")


def missing_triggers(conn: sqlite3.Connection, schema: str) -> list[str]:
    expected = {*_TRIGGER.findall(schema), *LOG_TRIGGERS}
    held = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return sorted(expected - held)


def flag_missing_triggers(conn: sqlite3.Connection, schema: str, now: datetime) -> list[str]:
    """Flag each missing trigger, in the caller's transaction; return their names."""
    missing = missing_triggers(conn, schema)
    for name in missing:
        log.error("the index's trigger %s was missing: it was dropped outside Liuhen", name)
        detail = json.dumps({"trigger": name, "found_missing_at": when(now)}, sort_keys=True)
        conn.execute(
            "INSERT INTO flags (kind, subject, detail, raised_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (INDEX_TAMPERED, f"trigger {name}", detail, when(now)),
        )
    return missing
