"""People who use the API: who is behind a token, and their administration on the server
host (add, list, rotate a token, disable, enable). The server keeps only hashes of their
tokens, and every token expires."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from evidence.errors import BadRequest, Forbidden, TokenExpired, Unauthenticated, UserDisabled
from evidence.strict_json import format_time
from ingest.access.tokens import IssuedToken, expired, find_token, mint_token
from ingest.clock import Clock
from storage.interfaces import Credentials
from storage.records import UserListing, UserRecord

__all__ = [
    "USER_ROLES",
    "People",
    "add_user",
    "bound_legacy_tokens",
    "disable_user",
    "enable_user",
    "list_users",
    "rotate_user_token",
]

log = logging.getLogger(__name__)

USER_ROLES = ("custodian", "supervisor", "admin")


@dataclass(frozen=True)
class People:
    credentials: Credentials
    clock: Clock

    async def authenticate(self, token: str, roles: tuple[str, ...] = USER_ROLES) -> UserRecord:
        """The enabled person behind an unexpired API token, in one of ``roles``.
        Disabling a person or rotating their token takes effect on their next request."""
        record = await find_token(self.credentials, token, "user")
        user = await self.credentials.get_user(record.subject)
        if user is None:
            raise Unauthenticated("unknown user token")
        if user.disabled_at is not None:
            raise UserDisabled(f"user {user.name} is disabled; only an admin can enable them")
        if expired(record, self.clock()):
            when = format_time(record.expires_at) if record.expires_at else "unknown"
            raise TokenExpired(
                f"the API token of user {user.name} has expired ({when}); ask an admin "
                f"for a new one: liuhen users rotate {user.name}"
            )
        if user.role not in roles:
            raise Forbidden(f"role {user.role} may not do this; needs one of {', '.join(roles)}")
        return user


async def add_user(
    credentials: Credentials, name: str, role: str, token_ttl: timedelta
) -> IssuedToken:
    """Add a person; return their API token, which is shown once and never stored."""
    if role not in USER_ROLES:
        raise BadRequest(f"role must be one of {', '.join(USER_ROLES)}")
    if not name or len(name) > 64 or not name.isprintable():
        raise BadRequest("a user name is 1-64 printable characters")
    now = datetime.now(UTC)
    await credentials.add_user(name, role, now)
    token, token_hash = mint_token()
    await credentials.store_token(token_hash, "user", name, now + token_ttl)
    log.info("added user %s (%s)", name, role)
    return IssuedToken(token, now + token_ttl)


async def rotate_user_token(
    credentials: Credentials, name: str, token_ttl: timedelta
) -> IssuedToken:
    """A new API token for ``name``; every earlier one stops working at once."""
    token, token_hash = mint_token()
    expires_at = datetime.now(UTC) + token_ttl
    await credentials.replace_user_token(name, token_hash, expires_at)
    log.warning("rotated the API token of user %s; the old one no longer works", name)
    return IssuedToken(token, expires_at)


async def disable_user(credentials: Credentials, name: str) -> UserRecord:
    """Refuse ``name`` on every request from now on (their token is kept, and dead)."""
    user = await credentials.set_disabled(name, datetime.now(UTC))
    log.warning("disabled user %s", name)
    return user


async def enable_user(credentials: Credentials, name: str) -> UserRecord:
    """Let ``name`` in again with their current token, if it has not expired."""
    user = await credentials.set_disabled(name, None)
    log.warning("enabled user %s", name)
    return user


async def list_users(credentials: Credentials) -> list[UserListing]:
    return await credentials.users()


async def bound_legacy_tokens(credentials: Credentials, now: datetime, ttl: timedelta) -> None:
    """Tokens issued before tokens expired get ``ttl`` from now, once (on the first open)."""
    count = await credentials.bound_tokens(now + ttl)
    if count:
        log.warning(
            "%d API token(s) issued without an expiry now expire at %s",
            count,
            format_time(now + ttl),
        )
