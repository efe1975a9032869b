"""Records of people's sign-in: their password hashes, their sessions and which cases
they may see. Kept apart from ``records.py`` so the people's side can grow alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["AccessRecord", "PasswordRecord", "SessionRecord"]


@dataclass(frozen=True, slots=True)
class PasswordRecord:
    """A person's password as the server keeps it: an argon2id hash in PHC form
    (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``), never the password."""

    name: str
    password_hash: str
    must_change: bool  # set by an admin: the person chooses their own at first sign-in
    set_at: datetime


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A signed-in session, found by the SHA-256 of its token."""

    token_hash: str
    name: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """Which cases a person may see: all of them, or those named and those of the
    agencies named. A person without a record sees all (as before access was limited)."""

    name: str
    all_cases: bool
    cases: tuple[str, ...]
    agencies: tuple[str, ...]
    granted_by: str
    granted_at: datetime
