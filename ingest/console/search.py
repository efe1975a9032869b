"""Case search: the form's fields checked, and recordings kept that match them. Pure:
the listing comes from the same ``Recordings`` the API uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from evidence.errors import BadRequest

__all__ = ["SearchForm", "matching", "search_form", "text_field"]

_MAX_FIELD = 64


@dataclass(frozen=True, slots=True)
class SearchForm:
    case_number: str
    officer: str
    place: str
    day: date | None

    @property
    def empty(self) -> bool:
        return not (self.case_number or self.officer or self.place or self.day)


def text_field(query: Any, name: str) -> str:
    """A short printable text field of a form or query; 400 `bad_request` otherwise."""
    value = str(query.get(name, "")).strip()
    if len(value) > _MAX_FIELD or not value.isprintable():
        raise BadRequest(f"{name} is at most {_MAX_FIELD} printable characters")
    return value


def search_form(query: Any) -> SearchForm:
    """The search form from a query string (a mapping); 400 ``bad_request`` when a field
    is too long, holds control characters, or the date is not YYYY-MM-DD."""
    day_text = text_field(query, "date")
    try:
        day = date.fromisoformat(day_text) if day_text else None
    except ValueError:
        raise BadRequest(f"date is YYYY-MM-DD, not {day_text!r}") from None
    return SearchForm(
        text_field(query, "case_number"),
        text_field(query, "officer"),
        text_field(query, "place"),
        day,
    )


def _day(started_at: object, zone: tzinfo) -> date | None:
    try:
        return datetime.fromisoformat(str(started_at)).astimezone(zone).date()
    except ValueError:
        return None


def matching(
    form: SearchForm, recordings: list[dict[str, Any]], zone: tzinfo
) -> list[dict[str, Any]]:
    """The recordings whose officer and place contain what was typed, captured that day
    in the agency's zone (``compliance.utc_offset_hours``, as the report reads dates)."""
    kept = []
    for item in recordings:
        if form.officer and form.officer not in (item.get("officer_id") or ""):
            continue
        if form.place and form.place not in (item.get("place") or ""):
            continue
        if form.day and _day(item.get("started_at"), zone) != form.day:
            continue
        kept.append(item)
    return kept
