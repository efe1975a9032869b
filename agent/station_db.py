"""The station's book: one SQLite file beside the journal (schema in ``station.sql``).

Docks, notes, the MQTT outbox, commands and room sessions live here, not in the journal:
the journal is the one truth about footage and nothing here is needed to record or upload
it. Each part of the agent that keeps something here has its own small module of queries.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from evidence.errors import JournalError
from runtime.sqlite_thread import SqliteThread

__all__ = ["StationDb"]


class StationDb(SqliteThread):
    def __init__(self, path: Path) -> None:
        schema = resources.files("agent").joinpath("station.sql").read_text("utf-8")
        super().__init__(path, schema, JournalError)
