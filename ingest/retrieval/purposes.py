"""The purpose a person states for looking at footage: required, 1-500 characters of plain
text (the log entry allows more; 500 keeps a listing readable), with something in it
besides spaces. There is no list of reason codes: an agency's purposes are its own, and
an auditor reads them as written."""

from __future__ import annotations

import unicodedata

from evidence.errors import PurposeRequired

__all__ = ["MAX_PURPOSE", "check_purpose"]

MAX_PURPOSE = 500


def check_purpose(text: str | None) -> str:
    if text is None or not text.strip():
        raise PurposeRequired("state the purpose of this access (purpose=…); it is logged")
    if len(text) > MAX_PURPOSE:
        raise PurposeRequired(f"a purpose is at most {MAX_PURPOSE} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise PurposeRequired("a purpose is plain text, without control characters")
    return text
