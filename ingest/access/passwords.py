"""Passwords: argon2id hashes (RFC 9106) made and checked in worker threads, a few at a
time, and the rule a new password must meet. The server keeps only the hash, in PHC
form, which names its own parameters: raising the cost in the configuration rehashes
each password at its next sign-in."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from evidence.errors import WeakPassword

__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "PasswordCost", "Passwords", "check_new_password"]

MIN_PASSWORD = 10
MAX_PASSWORD = 256  # characters: argon2 takes any length, a request body does not need more
SALT_BYTES = 16
HASH_BYTES = 32


@dataclass(frozen=True, slots=True)
class PasswordCost:
    """argon2id's cost: memory in KiB, passes over it, lanes (``server.password_*``)."""

    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4


def check_new_password(name: str, password: str) -> None:
    """Refuse a password too short or too long, with control characters, or equal to the
    person's name (in any case). Length counts characters: 10 Chinese characters are as
    many as 10 Latin letters, and each carries more."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise WeakPassword(f"a password is {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if not password.isprintable():
        raise WeakPassword("a password may not hold control characters")
    if password.casefold() == name.casefold():
        raise WeakPassword("a password may not be the person's name")


class Passwords:
    """Hash and check passwords without blocking the event loop: each hash takes
    ``memory_kib`` of memory and about a tenth of a second, so at most ``concurrency`` run
    at once and a flood of sign-ins waits instead of exhausting memory."""

    def __init__(self, cost: PasswordCost, concurrency: int = 2) -> None:
        self.cost = cost
        self._hasher = PasswordHasher(
            time_cost=cost.iterations,
            memory_cost=cost.memory_kib,
            parallelism=cost.lanes,
            hash_len=HASH_BYTES,
            salt_len=SALT_BYTES,
            type=Type.ID,
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._decoy: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches the stored hash. With none stored (an unknown name,
        a person without a password) a decoy hash of the same cost is checked, so the
        answer takes as long either way."""
        if stored is None:
            stored = await self._decoy_hash()
            password = "\0" + password  # never the decoy's password, whatever is sent
        async with self._slots:
            return await asyncio.to_thread(self._check, stored, password)

    def needs_rehash(self, stored: str) -> bool:
        """Whether a hash was made with other parameters than the configured ones."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True

    def _check(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = await self.hash(secrets.token_urlsafe(24))
        return self._decoy
