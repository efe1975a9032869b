"""A psycopg connection that the index's stores drive as they drive sqlite3.

The stores (``storage/sqlite/*``) hold the one copy of each query, written in SQL both
databases accept, and call ``conn.execute(sql, params)`` with sqlite3's placeholders
(``?`` and ``:name``). Everything that differs in how a statement is sent lives here, once:

- placeholders become psycopg's (``%s``, ``%(name)s``) outside quoted strings and ``::``
  casts, and every literal ``%`` is doubled;
- values are bound client-side (``ClientCursor``): a literal in the statement, typed by
  PostgreSQL where it is used, as sqlite3's untyped values are; a Python bool is 0 or 1,
  as SQLite stores it;
- rows answer by position and by column name, as ``sqlite3.Row`` does;
- ``BEGIN IMMEDIATE`` (SQLite: take the write lock now) is BEGIN plus one transaction-scoped
  advisory lock: writers take turns across every server sharing the database, as they do
  on SQLite's file, so a store's read-then-write holds;
- a constraint PostgreSQL refuses is raised as ``sqlite3.IntegrityError`` (a unique one
  naming UNIQUE, as SQLite's do), the error the stores already read.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import psycopg
from psycopg.adapt import Dumper

__all__ = ["IndexRow", "PgCursor", "connect", "translate"]

# Any 64-bit number: the key of the one lock writers take (SQLite's write lock).
WRITE_LOCK = 0x4C697568656E  # "Liuhen"
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|:[A-Za-z_]\w*|%")


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """sqlite3's placeholders as psycopg's."""

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        if text.startswith(":") and text != "::":
            return f"%({text[1:]})s"
        return text.replace(
            "%", "%%"
        )  # a lone %, and any inside quoted strings: psycopg reads them

    return _TOKEN.sub(replace, sql)


class IndexRow(tuple[Any, ...]):
    """A row by position and by column name, like ``sqlite3.Row``."""

    _names: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._names[key])
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        return list(self._names)


@functools.lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[IndexRow]:
    return type("IndexRow", (IndexRow,), {"_names": {n: i for i, n in enumerate(names)}})


def _rows(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return tuple
    cls = _row_class(tuple(column.name for column in description))
    return cls


class _BoolAsInt(Dumper):
    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"

    def quote(self, obj: Any) -> bytes:
        return self.dump(obj)


_CONSTRAINTS = (
    (psycopg.errors.UniqueViolation, "UNIQUE constraint failed"),
    (psycopg.errors.ForeignKeyViolation, "FOREIGN KEY constraint failed"),
    (psycopg.errors.CheckViolation, "CHECK constraint failed"),
    (psycopg.errors.NotNullViolation, "NOT NULL constraint failed"),
)


def _integrity(exc: psycopg.IntegrityError) -> sqlite3.IntegrityError:
    """In SQLite's words, which the stores and their callers read."""
    for kind, words in _CONSTRAINTS:
        if isinstance(exc, kind):
            return sqlite3.IntegrityError(f"{words}: {exc}")
    return sqlite3.IntegrityError(str(exc))


class PgCursor(psycopg.ClientCursor[Any]):
    """A cursor that takes sqlite3's statements (see the module's docstring)."""

    def execute(
        self, query: Any, params: Sequence[Any] | Mapping[str, Any] | None = None, **_: Any
    ) -> PgCursor:
        if query == "BEGIN IMMEDIATE":
            super().execute("BEGIN")
            super().execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            return self
        try:
            super().execute(translate(query), () if params is None else params)
        except psycopg.IntegrityError as exc:
            raise _integrity(exc) from exc
        return self

    def executemany(
        self, query: Any, params_seq: Iterable[Sequence[Any] | Mapping[str, Any]], **_: Any
    ) -> None:
        try:
            super().executemany(translate(query), params_seq)
        except psycopg.IntegrityError as exc:
            raise _integrity(exc) from exc

    @property
    def row_factory(self) -> Any:
        return psycopg.ClientCursor.row_factory.fget(self)  # type: ignore[attr-defined]

    @row_factory.setter
    def row_factory(self, factory: Any) -> None:
        """None, as on a sqlite3 cursor: plain tuples."""
        value = psycopg.rows.tuple_row if factory is None else factory
        psycopg.ClientCursor.row_factory.fset(self, value)  # type: ignore[attr-defined]


class PgConnection:
    """The part of ``sqlite3.Connection`` the stores use, on a psycopg connection."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def cursor(self) -> PgCursor:
        cursor: PgCursor = self.raw.cursor()  # type: ignore[assignment]
        return cursor

    def execute(self, sql: str, params: Any = ()) -> PgCursor:
        return self.cursor().execute(sql, params)

    def executemany(self, sql: str, params: Iterable[Any]) -> PgCursor:
        cursor = self.cursor()
        cursor.executemany(sql, params)
        return cursor


def connect(dsn: str, *, connect_timeout: int = 10) -> PgConnection:
    conn = psycopg.connect(
        dsn,
        autocommit=True,
        cursor_factory=PgCursor,
        row_factory=_rows,
        connect_timeout=connect_timeout,
    )
    conn.adapters.register_dumper(bool, _BoolAsInt)
    conn.execute("SET TIME ZONE 'UTC'")  # to_char and casts read times as the index keeps them
    return PgConnection(conn)
