"""The little SQL that SQLite and PostgreSQL write differently, for the stores' shared
queries (docs/storage-backends.md). Everything else in a store's SQL is written once, in
the form both accept; a query that needs one of these asks the connection it was handed
(``of(conn)``) and puts the fragment in.

- lists passed as one JSON parameter (SQLite's ``json_each``; PostgreSQL's
  ``json_array_elements_text``, whose values are text, so numbers are cast);
- times: the index keeps fixed-width UTC text (``rows.when``); milliseconds since the
  epoch, a calendar month in an agency's zone, a time moved by some seconds;
- a JSON text member of a stored body that may not be JSON (never an error);
- aggregates: a text of values joined by commas, a JSON array of distinct values;
- SQLite's planner hints (``INDEXED BY``, ``CROSS JOIN … ON`` fixing the join order),
  which PostgreSQL has no use for: its planner has statistics.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

__all__ = ["POSTGRES", "SQLITE", "Dialect", "of"]


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def sqlite(self) -> bool:
        return self.name == "sqlite"

    def texts_in(self, json_array: str) -> str:
        """A subquery of the strings in a JSON array (a parameter or a column)."""
        if self.sqlite:
            return f"SELECT value FROM json_each({json_array})"  # noqa: S608
        return f"SELECT value FROM json_array_elements_text(CAST({json_array} AS json)) AS j(value)"  # noqa: S608

    def ints_in(self, json_array: str) -> str:
        if self.sqlite:
            return f"SELECT value FROM json_each({json_array})"  # noqa: S608
        return (
            "SELECT CAST(value AS BIGINT) "  # noqa: S608
            f"FROM json_array_elements_text(CAST({json_array} AS json)) AS j(value)"
        )

    def each(self, json_array: str, alias: str) -> str:
        """A FROM item: one row per string of the array, its ``value``."""
        if self.sqlite:
            return f"json_each({json_array}) {alias}"
        return f"json_array_elements_text(CAST({json_array} AS json)) AS {alias}(value)"

    def ms(self, time: str) -> str:
        """Milliseconds since the epoch, half a millisecond up, exactly
        (evidence.footage_span.epoch_ms), as each schema makes recording_spans. On SQLite
        the whole seconds and the microseconds of the fixed-width text (rows.when) are read
        apart, as integers: julianday's double alone reads .5005 s as 500.4999… ms. Text of
        another shape (none is written) falls back to julianday. PostgreSQL's timestamps
        and numeric epoch are exact to the microsecond (``liuhen_ms``)."""
        if self.sqlite:
            return (
                f"(CASE WHEN {time} GLOB '????-??-??T??:??:??.??????Z' "
                f"THEN CAST(strftime('%s', substr({time}, 1, 19)) AS INTEGER) * 1000 "
                f"+ (CAST(substr({time}, 21, 6) AS INTEGER) + 500) / 1000 "
                f"ELSE CAST(round((julianday({time}) - 2440587.5) * 86400000.0) AS INTEGER) END)"
            )
        return f"liuhen_ms({time})"

    def month(self, time: str, offset_minutes: str) -> str:
        """'YYYY-MM' of ``time`` moved by a text such as '+480 minutes' (a parameter)."""
        if self.sqlite:
            return f"strftime('%Y-%m', {time}, {offset_minutes})"
        return (
            f"to_char(CAST({time} AS timestamptz) AT TIME ZONE 'UTC' "
            f"+ CAST({offset_minutes} AS interval), 'YYYY-MM')"
        )

    def moved(self, time: str, seconds: str, tail: str) -> str:
        """``time`` moved by ``seconds`` (an SQL number), as fixed-width UTC text to the
        millisecond followed by ``tail`` (the last microsecond digits and 'Z')."""
        if self.sqlite:
            return (
                f"strftime('%Y-%m-%dT%H:%M:%f', {time}, printf('%+.6f seconds', {seconds})) "
                f"|| '{tail}'"
            )
        return (
            f"to_char((CAST({time} AS timestamptz) + make_interval(secs => {seconds})) "
            f"AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') || '{tail}'"
        )

    def json_text(self, body: str, *path: str) -> str:
        """The text at ``path`` in a stored body (BLOB/BYTEA), NULL where it is not JSON."""
        if self.sqlite:
            where = "$." + ".".join(path)
            return (
                f"CASE WHEN json_valid(CAST({body} AS TEXT)) "
                f"THEN json_extract(CAST({body} AS TEXT), '{where}') END"
            )
        return f"liuhen_json_text({body}, '{{{','.join(path)}}}')"

    def joined(self, text: str) -> str:
        """The group's values joined by commas (text)."""
        if self.sqlite:
            return f"group_concat({text})"
        return f"string_agg(CAST({text} AS TEXT), ',')"

    def distinct_array(self, column: str) -> str:
        if self.sqlite:
            return f"json_group_array(DISTINCT {column})"
        return f"CAST(json_agg(DISTINCT {column}) AS TEXT)"

    def longest_seconds(self, start: str, end: str) -> str:
        """The longest ``end - start`` of the rows, in seconds (an aggregate). On SQLite the
        very expression of the index objects_without_case_by_length, which it walks."""
        if self.sqlite:
            return f"MAX(julianday({end}) - julianday({start})) * 86400.0"
        return f"MAX({self.ms(end)} - {self.ms(start)}) / 1000.0"

    def greatest(self, a: str, b: str) -> str:
        return f"max({a}, {b})" if self.sqlite else f"GREATEST({a}, {b})"

    def indexed_by(self, index: str) -> str:
        return f"INDEXED BY {index}" if self.sqlite else ""

    @property
    def ordered_join(self) -> str:
        """A join SQLite must take in the order written (``CROSS JOIN … ON``)."""
        return "CROSS JOIN" if self.sqlite else "JOIN"

    @property
    def insertion_order(self) -> str:
        """Rows of an append-only table in the order they were added: SQLite's rowid;
        PostgreSQL's heap order (ctid), which a table never updated nor deleted from keeps."""
        return "rowid" if self.sqlite else "ctid"


SQLITE = Dialect("sqlite")
POSTGRES = Dialect("postgres")


def of(conn: Any) -> Dialect:
    """The dialect of the connection a store's function was handed."""
    return SQLITE if isinstance(conn, sqlite3.Connection) else POSTGRES
