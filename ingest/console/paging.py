"""Pages of a listing: ``?offset=`` and ``?limit=`` read from the query, and the links to
the previous and next pages, the rest of the query kept. One row more than a page is read
so that "next" is offered only when more exist. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from evidence.errors import BadRequest

__all__ = ["Pager", "pager"]

T = TypeVar("T")
_MAX_OFFSET = 10**9


def _number(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = query.get(name, "").strip()
    if not text:
        return default
    if not text.isdecimal() or len(text) > 10 or not low <= int(text) <= high:
        raise BadRequest(f"{name} is an integer from {low} to {high}")
    return int(text)


@dataclass(frozen=True, slots=True)
class Pager:
    path: str
    query: Mapping[str, str]
    offset: int
    limit: int

    @property
    def read(self) -> int:
        """How many rows to ask for: one more than a page, to learn whether more exist."""
        return self.limit + 1

    def rows(self, found: Sequence[T]) -> list[T]:
        return list(found[: self.limit])

    def _at(self, offset: int) -> str:
        kept = {k: v for k, v in self.query.items() if k != "offset"}
        return f"{self.path}?{urlencode({**kept, 'offset': str(offset)})}"

    def links(self, found: int) -> dict[str, str | int | None]:
        """Previous and next pages (None where there is none), and the rows shown."""
        return {
            "previous": self._at(max(0, self.offset - self.limit)) if self.offset else None,
            "next": self._at(self.offset + self.limit) if found > self.limit else None,
            "first": self.offset + 1,
            "last": self.offset + min(found, self.limit),
        }


def pager(path: str, query: Mapping[str, str], default: int, maximum: int) -> Pager:
    """The page a query asks for; 400 ``bad_request`` for a bad offset or limit."""
    limit = _number(query, "limit", default, 1, maximum)
    return Pager(path, dict(query), _number(query, "offset", 0, 0, _MAX_OFFSET), limit)
