"""The ``[server.postgres]`` section: where the PostgreSQL index is. Plain values, no
psycopg: the configuration is read on every host, psycopg is imported only where the
PostgreSQL index is chosen (``storage/backends.py``).

A password is better kept out of the DSN, in ``~/.pgpass`` or ``PGPASSFILE`` (libpq reads
them); a DSN with one in it is never logged or shown whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evidence.errors import ConfigError

__all__ = ["PostgresConfig"]


@dataclass(frozen=True)
class PostgresConfig:
    dsn: str = ""  # libpq's: "host=db.example port=5432 dbname=liuhen user=liuhen"
    # The role that owns the index and creates its schema on first start; empty: dsn's role.
    owner_dsn: str = ""

    def check(self) -> None:
        """Called when the PostgreSQL index is chosen; an unused section may stay empty."""
        if not self.dsn:
            raise ConfigError('server.index is "postgres" but server.postgres.dsn is not set')

    def options(self) -> dict[str, Any]:
        return {"dsn": self.dsn, "owner_dsn": self.owner_dsn}
