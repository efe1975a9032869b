"""People who use the API: who is behind a bearer token, signing in with a name and a
password, signing out, and changing one's own password.

A person proves who they are with a session (``POST /api/v1/session``: a name and a
password give a token that ends ``server.session_hours`` after sign-in, or after
``server.session_idle_minutes`` unused) or with an API token an admin issued for a
program acting as them (``server.user_token_ttl_days``). The server keeps only the
SHA-256 of either. Sessions and API tokens live apart from device tokens, so neither can
pass for the other."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from evidence.errors import (
    SessionExpired,
    SignInFailed,
    TokenExpired,
    Unauthenticated,
    UserDisabled,
)
from evidence.strict_json import format_time
from ingest.access.passwords import Passwords, check_new_password
from ingest.access.permissions import USER_ROLES
from ingest.access.person import SESSION, TOKEN, CaseAccess, Person
from ingest.access.throttle import SignInThrottle
from ingest.access.tokens import expired, find_token, hash_token, mint_token
from ingest.access.user_admin import (
    add_user,
    bound_legacy_tokens,
    disable_user,
    enable_user,
    list_users,
    rotate_user_token,
)
from ingest.clock import Clock
from storage.interfaces import Accounts, Credentials
from storage.people_records import SessionRecord
from storage.records import UserRecord

__all__ = [
    "USER_ROLES",
    "People",
    "SessionRules",
    "add_user",
    "bound_legacy_tokens",
    "disable_user",
    "enable_user",
    "list_users",
    "rotate_user_token",
]

log = logging.getLogger(__name__)

# A session's last use is written at most this often: its idle time is measured to within it.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class SessionRules:
    ttl: timedelta  # from sign-in to the end, however busy
    idle: timedelta  # unused for this long, it ends


@dataclass(frozen=True)
class People:
    credentials: Credentials
    accounts: Accounts
    passwords: Passwords
    throttle: SignInThrottle
    clock: Clock
    rules: SessionRules

    async def authenticate(self, token: str) -> Person:
        """The enabled person behind an unexpired session or API token. Disabling a person
        or replacing their token takes effect on their next request."""
        if len(token) > 128 or not token.isascii():
            raise Unauthenticated("malformed bearer token")
        session = await self.accounts.find_session(hash_token(token))
        if session is not None:
            return await self._session_person(session)
        record = await find_token(self.credentials, token, "user")
        user = await self._enabled(record.subject)
        if expired(record, self.clock()):
            when = format_time(record.expires_at) if record.expires_at else "unknown"
            raise TokenExpired(
                f"the API token of user {user.name} has expired ({when}); ask an admin "
                f"for a new one: liuhen users rotate {user.name}"
            )
        access = CaseAccess.of(await self.accounts.access(user.name))
        return Person(user.name, user.role, access, TOKEN, expires_at=record.expires_at)

    async def sign_in(self, name: str, password: str, address: str) -> tuple[str, Person]:
        """A new session for a right name and password. Wrong ones are counted per name
        and per address (``SignInThrottle``); an unknown name costs the same work and gets
        the same answer as a wrong password."""
        self.throttle.check(name, address)
        user = await self.credentials.get_user(name) if len(name) <= 64 else None
        stored = None if user is None else await self.accounts.password(user.name)
        if user is None or stored is None:
            await self.passwords.verify(None, password)
            return self._failed(name, address)
        if not await self.passwords.verify(stored.password_hash, password):
            return self._failed(name, address)
        self.throttle.succeeded(name)
        if user.disabled_at is not None:
            raise UserDisabled(f"user {user.name} is disabled; only an admin can enable them")
        if self.passwords.needs_rehash(stored.password_hash):  # the configured cost changed
            rehashed = await self.passwords.hash(password)
            await self.accounts.set_password(user.name, rehashed, stored.must_change, self.clock())
        return await self._open(user, stored.must_change)

    async def sign_out(self, token: str) -> None:
        await self.accounts.end_session(hash_token(token))

    async def change_password(self, person: Person, current: str, new: str) -> None:
        """A person sets their own password, giving the one they have (an admin's first
        one included). Every session of theirs ends, this one too: they sign in again."""
        stored = await self.accounts.password(person.name)
        if stored is None or not await self.passwords.verify(stored.password_hash, current):
            raise SignInFailed("the current password is not right")
        check_new_password(person.name, new)
        if new == current:
            raise SignInFailed("choose a password other than the current one")
        await self.accounts.set_password(
            person.name, await self.passwords.hash(new), False, self.clock()
        )
        log.warning("user %s changed their password", person.name)

    def _failed(self, name: str, address: str) -> tuple[str, Person]:
        self.throttle.failed(name, address)
        raise SignInFailed("wrong name or password")

    async def _open(self, user: UserRecord, must_change: bool) -> tuple[str, Person]:
        token, token_hash = mint_token()
        now = self.clock()
        record = SessionRecord(token_hash, user.name, now, now + self.rules.ttl, now)
        await self.accounts.open_session(record)
        log.info("user %s signed in", user.name)
        access = CaseAccess.of(await self.accounts.access(user.name))
        person = Person(user.name, user.role, access, SESSION, must_change, record.expires_at)
        return token, person

    async def _session_person(self, session: SessionRecord) -> Person:
        now = self.clock()
        if now >= session.expires_at or now >= session.last_seen_at + self.rules.idle:
            await self.accounts.end_session(session.token_hash)
            why = "ended" if now >= session.expires_at else "was unused for too long"
            raise SessionExpired(f"the session of user {session.name} {why}: sign in again")
        user = await self._enabled(session.name)
        if now >= session.last_seen_at + TOUCH_EVERY:
            await self.accounts.touch_session(session.token_hash, now)
        stored = await self.accounts.password(user.name)
        must_change = stored is not None and stored.must_change
        access = CaseAccess.of(await self.accounts.access(user.name))
        return Person(user.name, user.role, access, SESSION, must_change, session.expires_at)

    async def _enabled(self, name: str) -> UserRecord:
        user = await self.credentials.get_user(name)
        if user is None:
            raise Unauthenticated("unknown user token")
        if user.disabled_at is not None:
            raise UserDisabled(f"user {user.name} is disabled; only an admin can enable them")
        return user
