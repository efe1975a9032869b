"""Which of a table's columns is which: the alias tables of the usual Chinese names, and
the column mapping a person writes once (a small TOML file) for anything else.

A header is compared after NFKC normalisation (full-width letters and brackets become
their ASCII forms) with every space and line break removed: ``执法 事项`` and
``开始记录\\n时间`` are ``执法事项`` and ``开始记录时间``. A mapping file::

    header_row = 2                 # the row that names the columns (found when left out)
    sheet = "音像记录事项清单"        # the workbook's sheet (the first when left out)
    encoding = "gbk"               # a CSV's encoding (detected when left out)
    carry_down = ["执法类别"]        # blank cells take the value above (merged in Excel)

    [columns]                      # the table's header = our column ("" ignores it)
    "执法时限要求" = "记录要求"

    [values."记录要求"]             # a cell's text = what it means
    "应当同时进行音像记录" = "全程音像记录"

    [defaults]                     # our column = its value, for a column the table lacks
    "记录要求" = "根据需要"

Our columns are named as in docs/compliance.md; a mapping that names another is refused
(``bad_mapping``), as is any key not listed above.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidence.errors import MalformedMapping

__all__ = ["Column", "ColumnMapping", "normalise"]

_SPACE = re.compile(r"\s+")
_KEYS = {"header_row", "sheet", "encoding", "carry_down", "columns", "values", "defaults"}


def normalise(text: str) -> str:
    """A header or a name as compared: NFKC, no spaces or line breaks, no trailing colon."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).rstrip(":")


@dataclass(frozen=True, slots=True)
class Column:
    """One of our columns: its name, the other names tables give it (in order of
    preference), whether a table must have it, and whether a blank cell in a CSV is a
    merged cell to carry down (categories and 事项 span rows in published tables)."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    carry_down: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    header_row: int | None = None
    sheet: str | None = None
    encoding: str | None = None
    carry_down: tuple[str, ...] = ()
    columns: Mapping[str, str] = field(default_factory=dict)  # normalised header -> ours or ""
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, text: str, known: Sequence[Column]) -> ColumnMapping:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MalformedMapping(f"the mapping is not TOML: {exc}") from None
        names = {column.name for column in known}
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise MalformedMapping(
                f"unknown key(s) {', '.join(unknown)}; the keys are {', '.join(sorted(_KEYS))}"
            )
        return cls(
            header_row=_optional(data, "header_row", int),
            sheet=_optional(data, "sheet", str),
            encoding=_optional(data, "encoding", str),
            carry_down=tuple(_ours(name, names) for name in _strings(data, "carry_down")),
            columns={
                normalise(header): "" if ours == "" else _ours(ours, names)
                for header, ours in _table(data, "columns").items()
            },
            values={
                _ours(ours, names): {normalise(k): _text(v) for k, v in _table_of(table).items()}
                for ours, table in _table(data, "values").items()
            },
            defaults={_ours(k, names): _text(v) for k, v in _table(data, "defaults").items()},
        )


def _ours(name: Any, names: set[str]) -> str:
    if name not in names:
        raise MalformedMapping(f"no column {name!r}; ours are {', '.join(sorted(names))}")
    return str(name)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise MalformedMapping(f"{value!r} must be text (in quotes)")
    return value


def _optional(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise MalformedMapping(f"{key} must be {'a whole number' if kind is int else 'text'}")
    if isinstance(value, int) and value < 1:
        raise MalformedMapping(f"{key} counts rows from 1")
    return value


def _strings(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedMapping(f"{key} must be a list of column names")
    return value


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    return _table_of(data.get(key, {}), key)


def _table_of(value: Any, key: str = "values") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedMapping(f"{key} must be a table ([{key}])")
    return value
