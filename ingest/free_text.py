"""Free text people type (reasons, notes, names, places), checked the same way wherever it
comes from: a JSON body, a CSV cell or the command line."""

from __future__ import annotations

import unicodedata

from evidence.errors import MalformedBody

__all__ = ["check_text"]


def check_text(field: str, value: str | None, max_length: int) -> str | None:
    """None, or 1-``max_length`` characters without control characters."""
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= max_length:
        raise MalformedBody(f"{field} must be 1-{max_length} characters", field=field)
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise MalformedBody(f"{field} contains control characters", field=field)
    return value
