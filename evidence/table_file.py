"""Tables as agencies bring them: a CSV file saved by Excel on Windows or by a case
system, in UTF-8 (with or without a byte-order mark), GBK/GB18030 or UTF-16 (Excel's
"Unicode text", tab-separated), or an ``.xlsx`` workbook; read into a grid of text cells
numbered as the spreadsheet numbers its rows (the first row is row 1).

The encoding is detected unless one is named: a byte-order mark decides; otherwise text
that decodes as UTF-8 is UTF-8, and anything else is read as GB18030 (a superset of GBK
and GB2312, what a Chinese Excel saves as "CSV"). A workbook is read with openpyxl
(``evidence.xlsx_grid``). Cells keep their line breaks (as ``\\n``) and lose surrounding
spaces. Nothing here knows what the columns mean (``evidence.table_columns`` does).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from evidence.errors import MalformedCsv

__all__ = ["ENCODINGS", "Grid", "GridRow", "decode_table_text", "read_grid"]

XLSX_MAGIC = b"PK\x03\x04"  # a workbook is a zip file
# What a person may name with --encoding; every GB name is read as GB18030, its superset.
ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb18030": "gb18030",
    "cp936": "gb18030",
    "utf-16": "utf-16",
}


@dataclass(frozen=True, slots=True)
class GridRow:
    number: int  # as the spreadsheet shows it
    cells: tuple[str, ...]

    def blank(self) -> bool:
        return not any(self.cells)


@dataclass(frozen=True, slots=True)
class Grid:
    rows: tuple[GridRow, ...]
    source: str  # "csv" or "xlsx"
    encoding: str | None = None  # how a CSV was read: "utf-8", "utf-8 with BOM", "gb18030"…
    sheet: str | None = None  # the worksheet a workbook was read from
    # Cells a workbook left empty inside a merged range, filled with the range's value:
    # (row number, column index).
    merged: frozenset[tuple[int, int]] = field(default_factory=frozenset)


def _error(message: str, row: int | None = None) -> MalformedCsv:
    return MalformedCsv(message if row is None else f"row {row}: {message}", row=row, column=None)


def decode_table_text(body: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and how it was decoded."""
    if encoding is not None:
        codec = ENCODINGS.get(encoding.lower().replace("_", "-"))
        if codec is None:
            raise _error(f"unknown encoding {encoding!r}; one of {', '.join(ENCODINGS)}")
        return _decode(body, codec, encoding.lower()), encoding.lower()
    if body.startswith(codecs.BOM_UTF8):
        return _decode(body[3:], "utf-8", "UTF-8"), "utf-8 with BOM"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(body, "utf-16", "UTF-16"), "utf-16"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode(body, "gb18030", "UTF-8 or GBK/GB18030"), "gb18030"


def _decode(body: bytes, codec: str, named: str) -> str:
    try:
        return body.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise _error(f"the file is not {named} text (byte {exc.start})") from None


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if "\t" in first and "," not in first else ","


def _csv_rows(text: str) -> tuple[GridRow, ...]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[GridRow] = []
    number = 0
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise _error(f"not CSV: {exc}", number + 1) from None
        if cells is None:
            return tuple(rows)
        number += 1
        rows.append(GridRow(number, tuple(clean_cell(cell) for cell in cells)))


def clean_cell(text: str) -> str:
    """A cell's text: line breaks as ``\\n``, surrounding spaces (and non-breaking
    spaces, which pasted web tables bring) dropped."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip().strip("\u00a0\u3000").strip()


def read_grid(body: bytes, *, encoding: str | None = None, sheet: str | None = None) -> Grid:
    """A CSV text or an .xlsx workbook, told apart by the workbook's zip signature."""
    if body.startswith(XLSX_MAGIC):
        from evidence.xlsx_grid import read_workbook  # openpyxl loads only for workbooks

        return read_workbook(body, sheet)
    if not body.strip():
        raise _error("the file is empty; the first row must name the columns", 1)
    text, used = decode_table_text(body, encoding)
    return Grid(_csv_rows(text), "csv", encoding=used)
