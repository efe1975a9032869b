"""An ``.xlsx`` workbook read into a grid of text cells (openpyxl, values only: a formula
gives the value Excel last saved with it).

Cells become text as a person reads them: a date or time cell as ``2026-11-29 10:00:00``
(the agency's local time, as Excel holds it: a workbook has no zone), a whole number
without ``.0``, other numbers as Python writes them (so an Excel serial date in a cell
formatted as a number stays a number, which the time reader knows). Merged cells hold
their value only in the range's first cell: the others are filled with it, and the grid
names them so the import can say so.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from evidence.errors import MalformedCsv
from evidence.table_file import Grid, GridRow, clean_cell

__all__ = ["cell_text", "read_workbook"]

MAX_ROWS = 1_000_000  # Excel's own limit is 1,048,576
MAX_COLUMNS = 256


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_cell(str(value))


def read_workbook(body: bytes, sheet: str | None) -> Grid:
    try:
        book = load_workbook(io.BytesIO(body), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise MalformedCsv(
            f"the file is not a readable .xlsx workbook ({exc})", row=None, column=None
        ) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise MalformedCsv(
            f"the workbook has no sheet {sheet!r}; it has {', '.join(book.sheetnames)}",
            row=None,
            column=None,
        )
    page = book[sheet] if sheet is not None else book.worksheets[0]
    if page.max_row > MAX_ROWS or page.max_column > MAX_COLUMNS:
        raise MalformedCsv(
            f"the sheet {page.title!r} is {page.max_row} rows by {page.max_column} columns; "
            f"at most {MAX_ROWS} by {MAX_COLUMNS}",
            row=None,
            column=None,
        )
    cells = [[cell_text(value) for value in row] for row in page.iter_rows(values_only=True)]
    merged = _fill_merged(page, cells)
    rows = tuple(GridRow(number, tuple(row)) for number, row in enumerate(cells, start=1))
    return Grid(rows, "xlsx", sheet=page.title, merged=frozenset(merged))


def _fill_merged(page: Any, cells: list[list[str]]) -> set[tuple[int, int]]:
    """Give every cell of a merged range the value of its first cell; the filled ones."""
    filled: set[tuple[int, int]] = set()
    for merged in page.merged_cells.ranges:
        top, left = merged.min_row, merged.min_col
        if top > len(cells):
            continue
        value = cells[top - 1][left - 1]
        for row in range(top, min(merged.max_row, len(cells)) + 1):
            for column in range(left, merged.max_col + 1):
                if (row, column) != (top, left) and column <= len(cells[row - 1]):
                    cells[row - 1][column - 1] = value
                    filled.add((row, column - 1))
    return filled
