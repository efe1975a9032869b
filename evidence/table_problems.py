"""Every bad cell of an imported table, collected in one pass and raised as one error.

``Problems.check`` raises a ``MalformedCsv`` whose ``row`` and ``column`` are the first
bad cell's (so a table with one mistake is reported exactly as before issue 15), and
whose ``details.errors`` lists each of them (row, column, the cell's letter and number
as Excel shows it, message) when there are several.
"""

from __future__ import annotations

from typing import Any

from evidence.errors import MalformedCsv

__all__ = ["MAX_LISTED", "Problems", "column_letter"]

MAX_LISTED = 1000


def column_letter(index: int) -> str:
    """A zero-based column index as Excel names it: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Problems:
    """Every bad cell of a table, in the order found."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int | None, column: str | None, message: str, index: int = -1) -> None:
        where = (
            "" if row is None else f"row {row}" + ("" if column is None else f", column {column}")
        )
        item: dict[str, Any] = {"row": row, "column": column, "message": f"{where}: {message}"}
        if row is not None and index >= 0:
            item["cell"] = f"{column_letter(index)}{row}"
        self.items.append(item)

    def __bool__(self) -> bool:
        return bool(self.items)

    def check(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        if len(self.items) == 1:
            raise MalformedCsv(first["message"], row=first["row"], column=first["column"])
        shown = "; ".join(item["message"] for item in self.items[:5])
        more = len(self.items) - 5
        raise MalformedCsv(
            f"{len(self.items)} errors: {shown}" + (f"; and {more} more" if more > 0 else ""),
            row=first["row"],
            column=first["column"],
            errors=self.items[:MAX_LISTED],
        )
