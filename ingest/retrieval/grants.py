"""Stream grants: one logged access, then every range request a player makes for
``custody.grant_minutes``.

A browser seeking in a review copy sends a new Range request for each seek; logging each
would bury the one access among hundreds of entries and say nothing more. So a person
states the purpose once (``POST …/grants``): the access is logged, and a grant is issued:
an unguessable token in a URL (a ``<video src>`` cannot send an Authorization header)
that serves that one object, read-only, until it expires. Grants live in the serving
process (a restart ends them: ask again) and only their hashes are kept. A grant outlives
nothing else: it serves only the object it names, and a person disabled meanwhile keeps
at most the rest of its minutes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from evidence.errors import GrantExpired, QuotaExceeded, UnknownGrant
from ingest.clock import Clock

__all__ = ["Grant", "Grants"]

MAX_LIVE = 10_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Grant(Generic[T]):
    """What a grant serves (``target``), the access entry that covers it, and until when."""

    target: T
    log_index: int
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Grants(Generic[T]):
    clock: Clock
    lifetime: timedelta
    _held: dict[str, Grant[T]] = field(default_factory=dict, init=False, repr=False)

    def issue(self, target: T, log_index: int) -> tuple[str, Grant[T]]:
        """A new token for ``target``, covered by the access logged at ``log_index``."""
        now = self.clock()
        if len(self._held) >= MAX_LIVE:
            self._forget_expired(now)
        if len(self._held) >= MAX_LIVE:
            raise QuotaExceeded(f"{MAX_LIVE} stream grants are open; try again later")
        token = secrets.token_urlsafe(32)
        grant = Grant(target, log_index, now + self.lifetime)
        self._held[_hash(token)] = grant
        return token, grant

    def find(self, token: str) -> Grant[T]:
        grant = self._held.get(_hash(token))
        if grant is None:
            raise UnknownGrant("no such stream grant; state the purpose again for a new one")
        if self.clock() >= grant.expires_at:
            raise GrantExpired("this stream grant has expired; state the purpose again")
        return grant

    def _forget_expired(self, now: datetime) -> None:
        # Kept one more lifetime after expiry, so a player is told "expired", not "unknown".
        cutoff = now - self.lifetime
        for key in [key for key, grant in self._held.items() if grant.expires_at <= cutoff]:
            del self._held[key]
