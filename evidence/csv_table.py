"""CSV files people import: strict reading that names the row and the column of a mistake.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2
(a quoted cell may hold a line break, so rows are records, not lines). Text is UTF-8; a
byte-order mark, which spreadsheet programs write, is dropped. The header must hold every
required column and nothing unknown; cells are stripped of surrounding spaces, and an
empty cell is an absent value.

``CsvRow`` is to a record what ``strict_json.Fields`` is to a JSON object: typed readers
whose every error is a ``MalformedCsv`` with ``details = {"row": n, "column": header}``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from evidence.errors import BadRequest, MalformedCsv

__all__ = ["CsvRow", "CsvTable", "decode_csv", "write_csv"]

T = TypeVar("T")

_BOM = "\ufeff"


def decode_csv(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedCsv(f"the file is not UTF-8 (byte {exc.start})", row=None) from None
    return text.removeprefix(_BOM)


def write_csv(header: Sequence[str], rows: Sequence[Sequence[str | None]]) -> str:
    """CSV text with CRLF line ends (RFC 4180, and what spreadsheet programs expect)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return out.getvalue()


def _error(row: int, column: str | None, message: str) -> MalformedCsv:
    where = f"row {row}" if column is None else f"row {row}, column {column}"
    return MalformedCsv(f"{where}: {message}", row=row, column=column)


class CsvRow:
    def __init__(self, number: int, cells: dict[str, str]) -> None:
        self.number = number
        self._cells = cells

    def error(self, column: str | None, message: str) -> MalformedCsv:
        return _error(self.number, column, message)

    def optional_text(
        self, column: str, *, max_length: int = 1024, multiline: bool = False
    ) -> str | None:
        """The cell's text; a line break is allowed only in ``multiline`` columns (the
        descriptions agencies write in Excel with Alt+Enter)."""
        value = self._cells.get(column, "")
        if not value:
            return None
        if len(value) > max_length:
            raise self.error(column, f"longer than {max_length} characters")
        if any(unicodedata.category(ch) == "Cc" and (ch != "\n" or not multiline) for ch in value):
            raise self.error(column, "contains control characters")
        return value

    def text(self, column: str, *, max_length: int = 1024, multiline: bool = False) -> str:
        value = self.optional_text(column, max_length=max_length, multiline=multiline)
        if value is None:
            raise self.error(column, "must not be empty")
        return value

    def convert(self, column: str, parse: Callable[[str], T], *, required: bool = True) -> T:
        """Run a parser on the cell; its ``ValueError`` or our ``BadRequest`` becomes a
        ``MalformedCsv`` naming the row and column."""
        value = self.text(column) if required else (self.optional_text(column) or "")
        try:
            return parse(value)
        except BadRequest as exc:
            raise self.error(column, exc.message) from exc
        except ValueError as exc:
            raise self.error(column, str(exc)) from exc


class CsvTable:
    """A CSV text with a known set of columns, read record by record."""

    def __init__(self, text: str, required: Sequence[str], optional: Sequence[str] = ()) -> None:
        self._reader = csv.reader(io.StringIO(text.removeprefix(_BOM), newline=""), strict=True)
        try:
            header = next(self._reader, None)
        except csv.Error as exc:
            raise _error(1, None, f"not CSV: {exc}") from None
        if header is None:
            raise _error(1, None, "the file is empty; the first row must name the columns")
        self.header = [name.strip() for name in header]
        self._check_header(required, optional)

    def _check_header(self, required: Sequence[str], optional: Sequence[str]) -> None:
        seen: set[str] = set()
        for name in self.header:
            if name in seen:
                raise _error(1, name, "the column appears twice")
            if name not in required and name not in optional:
                raise _error(1, name, f"unknown column; the columns are {', '.join(required)}")
            seen.add(name)
        for name in required:
            if name not in seen:
                raise _error(1, name, "required column missing")

    def rows(self) -> Iterator[CsvRow]:
        number = 1
        while True:
            try:
                cells = next(self._reader, None)
            except csv.Error as exc:
                raise _error(number + 1, None, f"not CSV: {exc}") from None
            if cells is None:
                return
            number += 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            yield self._row(number, cells)

    def _row(self, number: int, cells: list[str]) -> CsvRow:
        if len(cells) < len(self.header):
            column = self.header[len(cells)]
            raise _error(
                number, column, f"the row has {len(cells)} cells; the header has {len(self.header)}"
            )
        if len(cells) > len(self.header):
            raise _error(
                number, None, f"the row has {len(cells)} cells; the header has {len(self.header)}"
            )
        return CsvRow(
            number, {name: cell.strip() for name, cell in zip(self.header, cells, strict=True)}
        )
