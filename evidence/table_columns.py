"""A grid read as a table of known columns: find the header row, say which column is
which (the plan a person reads before anything is committed), then hand out records,
collecting **every** bad cell instead of stopping at the first.

- The header is the first of the first 20 rows that names at least two of our columns
  (one, when only one is known), unless the mapping names the row; rows above it (a
  title, the agency's name) are skipped and listed.
- Columns we do not know are ignored and listed; two columns for one of ours keep the
  better-known name; a required column missing is an error at the header row.
- Blank rows are skipped, and so is a note under the table (a row with one cell that
  starts with 注, 说明 or 备注), and said so.
- Merged cells: a workbook's merged ranges are filled (``xlsx_grid``); in a CSV a blank
  cell of a column that published tables merge (categories, 事项) takes the value above.
  Both are counted per column in the plan.

Errors name the row as the spreadsheet numbers it and the column by its header as the
table writes it (``details.cell`` gives its letter too: ``F5``). ``Problems.check``
raises one ``MalformedCsv`` for all of them: its ``row`` and ``column`` are the first
bad cell's, and ``details.errors`` lists each when there are several.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from evidence.column_mapping import Column, ColumnMapping, normalise
from evidence.errors import BadRequest, MalformedCsv
from evidence.table_file import Grid, GridRow
from evidence.table_problems import Problems, column_letter

__all__ = ["Plan", "Problems", "Record", "Table", "column_letter"]

T = TypeVar("T")
HEADER_SEARCH = 20
_NOTE_STARTS = ("注", "说明", "备注", "填表说明")


@dataclass
class Plan:
    """What was mapped to what: the header row, each of our columns and the header it was
    read from (or its default), what was ignored, skipped, carried down or filled."""

    header_row: int
    source: str
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)  # ours -> (index, header)
    defaults: dict[str, str] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def header(self, ours: str) -> str:
        return self.columns[ours][1] if ours in self.columns else ours

    def lines(self) -> list[str]:
        lines = [f"read {self.source}; the header is row {self.header_row}"]
        for ours, (index, header) in self.columns.items():
            same = normalise(header) == ours
            lines.append(f"  {column_letter(index)} {header}" + ("" if same else f" → {ours}"))
        lines += [
            f"  {ours} = {value!r} for every row (default)" for ours, value in self.defaults.items()
        ]
        lines += [f"  ignored: {header}" for header in self.ignored]
        return lines + [f"  {note}" for note in self.notes]

    @property
    def plain(self) -> bool:
        """Read as written, nothing to explain: a UTF-8 CSV whose first row names our
        columns by our names, nothing ignored, defaulted, skipped or filled."""
        return (
            self.header_row == 1
            and self.source.endswith(" utf-8")
            and all(normalise(header) == ours for ours, (_, header) in self.columns.items())
            and not (self.defaults or self.ignored or self.notes)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "plain": self.plain,
            "source": self.source,
            "header_row": self.header_row,
            "columns": {
                ours: {"column": column_letter(index), "header": header}
                for ours, (index, header) in self.columns.items()
            },
            "defaults": self.defaults,
            "absent": self.absent,
            "ignored": self.ignored,
            "notes": self.notes,
            "lines": self.lines(),  # the same, worded for a person (the CLI prints them)
        }


class Record:
    """One row: typed readers that note a bad cell in ``problems`` and give None."""

    def __init__(self, number: int, values: dict[str, str], plan: Plan, problems: Problems):
        self.number = number
        self._values = values
        self._plan = plan
        self._problems = problems
        self.bad = False

    def has(self, ours: str) -> bool:
        return ours in self._plan.columns or ours in self._plan.defaults

    def raw(self, ours: str) -> str:
        return self._values.get(ours, "")

    def problem(self, ours: str | None, message: str) -> None:
        self.bad = True
        index = self._plan.columns[ours][0] if ours in self._plan.columns else -1
        column = None if ours is None else self._plan.header(ours)
        self._problems.add(self.number, column, message, index)

    def text(self, ours: str, *, max_length: int = 1024, required: bool = True) -> str | None:
        value = self.raw(ours)
        if not value:
            if required:
                self.problem(ours, "must not be empty")
            return None
        if len(value) > max_length:
            self.problem(ours, f"longer than {max_length} characters")
            return None
        if any(ch < " " and ch not in "\n\t" for ch in value) or "\x7f" in value:
            self.problem(ours, "contains control characters")
            return None
        return value

    def convert(self, ours: str, parse: Callable[[str], T], *, required: bool = True) -> T | None:
        value = self.text(ours, required=required)
        if value is None:
            return None
        try:
            return parse(value)
        except BadRequest as exc:
            self.problem(ours, exc.message)
        except ValueError as exc:
            self.problem(ours, str(exc))
        return None


class Table:
    """A grid seen through our columns (``Column``) and a person's mapping."""

    def __init__(self, grid: Grid, columns: Sequence[Column], mapping: ColumnMapping | None):
        self._grid = grid
        self._mapping = mapping or ColumnMapping()
        self._known = {column.name: column for column in columns}
        self._lookup = {
            normalise(name): (column.name, rank)
            for column in columns
            for rank, name in reversed(list(enumerate(column.names())))
        }
        self.problems = Problems()
        header = self._header_row()
        self.plan = Plan(header.number, _source(grid))
        self._header = header
        self._assign(header)

    def _match(self, text: str) -> tuple[str, int] | None:
        key = normalise(text)
        if key in self._mapping.columns:
            ours = self._mapping.columns[key]
            return (ours, -1) if ours else ("", -1)
        return self._lookup.get(key)

    def _header_row(self) -> GridRow:
        rows = self._grid.rows
        wanted = self._mapping.header_row
        if wanted is not None:
            if wanted > len(rows):
                raise MalformedCsv(
                    f"row {wanted}: the table has {len(rows)} rows", row=wanted, column=None
                )
            return rows[wanted - 1]
        need = 2 if len(self._known) > 1 else 1
        for row in rows[:HEADER_SEARCH]:
            if sum(bool((m := self._match(c)) and m[0]) for c in row.cells if c) >= need:
                return row
        if rows and not rows[0].blank():
            return rows[0]  # its columns will be reported missing
        raise MalformedCsv(
            "row 1: the file is empty; the first row must name the columns", row=1, column=None
        )

    def _assign(self, header: GridRow) -> None:
        plan, ranks = self.plan, dict[str, int]()
        if header.number > 1:
            above = "row 1" if header.number == 2 else f"rows 1-{header.number - 1}"
            plan.notes.append(f"{above} above the header skipped (a title)")
        for index, text in enumerate(header.cells):
            if not text:
                continue
            shown = " ".join(text.split())
            match = self._match(text)
            if match is None or not match[0]:
                plan.ignored.append(shown)
                continue
            ours, rank = match
            if ours in plan.columns and ranks[ours] == rank:
                self.problems.add(header.number, shown, "the column appears twice", index)
            elif ours not in plan.columns or rank < ranks[ours]:
                if ours in plan.columns:
                    plan.ignored.append(plan.columns[ours][1])
                plan.columns[ours], ranks[ours] = (index, shown), rank
            else:
                plan.ignored.append(shown)
        for ours, column in self._known.items():
            if ours in plan.columns:
                continue
            if ours in self._mapping.defaults:
                plan.defaults[ours] = self._mapping.defaults[ours]
            elif column.required:
                self.problems.add(header.number, ours, "required column missing")
            else:
                plan.absent.append(ours)

    def records(self) -> Iterator[Record]:
        """Every data row below the header, blank rows and notes skipped."""
        carried: dict[str, list[int]] = {}
        merged: dict[str, int] = {}
        above: dict[str, str] = {}
        carry = {
            c.name for c in self._known.values() if c.carry_down and self._grid.source == "csv"
        }
        carry |= set(self._mapping.carry_down)
        width = len(self._header.cells)
        for row in self._grid.rows[self._header.number :]:
            if row.blank():
                continue
            if self._note(row):
                continue
            values = self._values(row, width)
            for ours in carry & set(self.plan.columns):
                if not values.get(ours) and above.get(ours):
                    values[ours] = above[ours]
                    carried.setdefault(ours, []).append(row.number)
            for ours, (index, _) in self.plan.columns.items():
                merged[ours] = merged.get(ours, 0) + ((row.number, index) in self._grid.merged)
            above.update((k, v) for k, v in values.items() if v)
            yield Record(row.number, values, self.plan, self.problems)
        self._say(carried, merged)

    def _note(self, row: GridRow) -> bool:
        filled = [cell for cell in row.cells if cell]
        if len(filled) == 1 and filled[0].startswith(_NOTE_STARTS) and len(self.plan.columns) > 1:
            self.plan.notes.append(f"row {row.number} is a note under the table, skipped")
            return True
        return False

    def _values(self, row: GridRow, width: int) -> dict[str, str]:
        cells = row.cells
        if len(cells) < width and self._grid.source == "csv":
            missing = self._header.cells[len(cells)]
            self.problems.add(
                row.number,
                missing or None,
                f"the row has {len(cells)} cells; the header has {width}",
                len(cells),
            )
        elif any(cells[width:]):
            self.problems.add(row.number, None, f"the row has cells beyond the header's {width}")
        values = {
            ours: cells[index] if index < len(cells) else ""
            for ours, (index, _) in self.plan.columns.items()
        }
        values.update(self.plan.defaults)
        for ours, meaning in self._mapping.values.items():
            if ours in values:
                values[ours] = meaning.get(normalise(values[ours]), values[ours])
        return values

    def _say(self, carried: dict[str, list[int]], merged: dict[str, int]) -> None:
        for ours, rows in carried.items():
            shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
            self.plan.notes.append(
                f"{self.plan.header(ours)}: {len(rows)} blank cell(s) took the value above "
                f"(merged in the original), rows {shown}"
            )
        for ours, count in merged.items():
            if count:
                self.plan.notes.append(
                    f"{self.plan.header(ours)}: {count} merged cell(s) filled with the range's value"
                )


def _source(grid: Grid) -> str:
    if grid.source == "xlsx":
        return f"an .xlsx workbook, sheet {grid.sheet!r}"
    return f"a CSV file in {grid.encoding}"
