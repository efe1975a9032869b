"""People's credentials: users, API tokens, nonces; passwords, sessions, case access."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from storage.people_records import AccessRecord, PasswordRecord, SessionRecord
from storage.records import TokenRecord, UserListing, UserRecord

__all__ = ["Accounts", "Credentials"]


class Credentials(Protocol):
    async def add_user(self, name: str, role: str, now: datetime) -> UserRecord: ...

    async def get_user(self, name: str) -> UserRecord | None: ...

    async def users(self) -> list[UserListing]:
        """Every person, by name, with when their current API token expires."""
        ...

    async def set_disabled(self, name: str, disabled_at: datetime | None) -> UserRecord:
        """Disable a person from ``disabled_at`` on (kept if already disabled), or enable
        them with None. Raises UnknownUser."""
        ...

    async def replace_user_token(self, name: str, token_hash: str, expires_at: datetime) -> None:
        """Store a person's new API token and delete every other one of theirs, in one
        transaction: the old token is dead the moment the new one exists. Raises
        UnknownUser."""
        ...

    async def bound_tokens(self, expires_at: datetime) -> int:
        """Give every token stored without an expiry this one (tokens from before tokens
        expired); return how many."""
        ...

    async def store_token(
        self, token_hash: str, subject_kind: str, subject: str, expires_at: datetime
    ) -> None: ...

    async def find_token(self, token_hash: str) -> TokenRecord | None:
        """The token with this hash, expired or not: the caller says which it is."""
        ...

    async def use_nonce(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        """Record ``nonce`` as used; False if it already was (a replay)."""
        ...


class Accounts(Protocol):
    """People's passwords, sessions and case access (their names are in ``Credentials``)."""

    async def set_password(
        self, name: str, password_hash: str, must_change: bool, now: datetime
    ) -> None:
        """Keep a person's new password hash and end every session of theirs, in one
        transaction. Raises UnknownUser."""
        ...

    async def password(self, name: str) -> PasswordRecord | None: ...

    async def open_session(self, record: SessionRecord) -> None: ...

    async def find_session(self, token_hash: str) -> SessionRecord | None:
        """The session with this token hash, expired or not: the caller says which."""
        ...

    async def touch_session(self, token_hash: str, now: datetime) -> None:
        """The session was used now (its idle time starts again)."""
        ...

    async def end_session(self, token_hash: str) -> bool:
        """Sign the session out; False if there was none."""
        ...

    async def end_sessions(self, name: str) -> int:
        """End every session of a person (disabled, or their password changed)."""
        ...

    async def set_access(self, record: AccessRecord) -> None:
        """Replace a person's case access. Raises UnknownUser."""
        ...

    async def access(self, name: str) -> AccessRecord | None: ...
