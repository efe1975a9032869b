"""Administration of people: add one (with a password they change at first sign-in, or
with an API token for a program), set a password, issue a new API token, disable and
enable, limit which cases they see, list them. Admins do this through the API; on the
server host only the first admin is added (``liuhen users add-admin``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from evidence.case_number import CaseNumberRule
from evidence.errors import BadRequest
from evidence.strict_json import format_time
from ingest.access.passwords import Passwords, check_new_password
from ingest.access.permissions import USER_ROLES
from ingest.access.person import CaseAccess
from ingest.access.tokens import IssuedToken, mint_token
from ingest.clock import Clock
from storage.interfaces import Accounts, Credentials
from storage.people_records import AccessRecord
from storage.records import UserListing, UserRecord

__all__ = [
    "PersonListing",
    "UserAdmin",
    "add_user",
    "bound_legacy_tokens",
    "check_new_user",
    "disable_user",
    "enable_user",
    "list_users",
    "rotate_user_token",
]

log = logging.getLogger(__name__)


def check_new_user(name: str, role: str) -> None:
    if role not in USER_ROLES:
        raise BadRequest(f"role must be one of {', '.join(USER_ROLES)}")
    if not name or len(name) > 64 or not name.isprintable() or name != name.strip():
        raise BadRequest("a user name is 1-64 printable characters, without outer spaces")


async def add_user(
    credentials: Credentials,
    name: str,
    role: str,
    token_ttl: timedelta,
    now: datetime | None = None,
) -> IssuedToken:
    """Add a person with an API token (for a program acting as them), shown once and never
    stored; they have no password until an admin sets one."""
    check_new_user(name, role)
    now = now or datetime.now(UTC)
    await credentials.add_user(name, role, now)
    token, token_hash = mint_token()
    await credentials.store_token(token_hash, "user", name, now + token_ttl)
    log.info("added user %s (%s)", name, role)
    return IssuedToken(token, now + token_ttl)


async def rotate_user_token(
    credentials: Credentials, name: str, token_ttl: timedelta, now: datetime | None = None
) -> IssuedToken:
    """A new API token for ``name``; every earlier one stops working at once."""
    token, token_hash = mint_token()
    expires_at = (now or datetime.now(UTC)) + token_ttl
    await credentials.replace_user_token(name, token_hash, expires_at)
    log.warning("issued a new API token to user %s; the old one no longer works", name)
    return IssuedToken(token, expires_at)


async def disable_user(
    credentials: Credentials, name: str, accounts: Accounts | None = None
) -> UserRecord:
    """Refuse ``name`` on every request from now on, and end their sessions."""
    user = await credentials.set_disabled(name, datetime.now(UTC))
    if accounts is not None:
        await accounts.end_sessions(name)
    log.warning("disabled user %s", name)
    return user


async def enable_user(credentials: Credentials, name: str) -> UserRecord:
    """Let ``name`` in again (their token works if it has not expired; they sign in anew)."""
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


@dataclass(frozen=True, slots=True)
class PersonListing:
    user: UserRecord
    details: dict[str, Any]  # token expiry, password state, case access (as JSON)


@dataclass(frozen=True)
class UserAdmin:
    """What an admin does to people; ``by`` is the admin, from their session."""

    credentials: Credentials
    accounts: Accounts
    passwords: Passwords
    clock: Clock
    token_ttl: timedelta
    case_rule: CaseNumberRule

    async def add(self, name: str, role: str, password: str, by: str) -> UserRecord:
        """A person with a first password, which they must change when they sign in."""
        check_new_user(name, role)
        check_new_password(name, password)
        hashed = await self.passwords.hash(password)
        user = await self.credentials.add_user(name, role, self.clock())
        await self.accounts.set_password(name, hashed, True, self.clock())
        log.warning("%s added user %s (%s)", by, name, role)
        return user

    async def set_password(self, name: str, password: str, by: str, must_change: bool) -> None:
        """Set a person's password (ending their sessions); they change it at their next
        sign-in unless they set it themselves."""
        check_new_password(name, password)
        await self.accounts.set_password(
            name, await self.passwords.hash(password), must_change, self.clock()
        )
        log.warning("%s set the password of user %s", by, name)

    async def issue_token(self, name: str, by: str) -> IssuedToken:
        issued = await rotate_user_token(self.credentials, name, self.token_ttl, self.clock())
        log.warning("%s issued an API token to user %s", by, name)
        return issued

    async def disable(self, name: str) -> UserRecord:
        return await disable_user(self.credentials, name, self.accounts)

    async def enable(self, name: str) -> UserRecord:
        return await enable_user(self.credentials, name)

    async def set_access(
        self, name: str, all_cases: bool, cases: list[str], agencies: list[str], by: str
    ) -> CaseAccess:
        """Which cases ``name`` sees from their next request: all, or those numbered (in
        any typed form) and those of the agencies named."""
        numbers = {str(self.case_rule.parse(number)) for number in cases}
        access = CaseAccess(all_cases, frozenset(numbers), frozenset(agencies))
        record = AccessRecord(
            name, all_cases, tuple(sorted(numbers)), tuple(sorted(agencies)), by, self.clock()
        )
        await self.accounts.set_access(record)
        log.warning("%s set the case access of user %s: %s", by, name, access.to_json())
        return access

    async def listing(self) -> list[PersonListing]:
        """Every person, with when their API token expires, whether they have a password
        (and must change it), and which cases they see."""
        found = []
        for item in await self.credentials.users():
            password = await self.accounts.password(item.user.name)
            access = CaseAccess.of(await self.accounts.access(item.user.name))
            expires = item.token_expires_at
            details = {
                "token_expires_at": None if expires is None else format_time(expires),
                "has_password": password is not None,
                "must_change_password": password is not None and password.must_change,
                "access": access.to_json(),
            }
            found.append(PersonListing(item.user, details))
        return found

    async def access(self, name: str) -> CaseAccess:
        return CaseAccess.of(await self.accounts.access(name))
