"""Bearer tokens: made at random, kept by the server only as their SHA-256, looked up by
the kind of holder they were issued to (a device or a person)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from evidence.errors import Unauthenticated
from storage.interfaces import Credentials
from storage.records import TokenRecord

__all__ = ["IssuedToken", "expired", "find_token", "hash_token", "mint_token"]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A bearer token as shown once to its holder; the server keeps only its hash."""

    token: str
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def mint_token() -> tuple[str, str]:
    """A new bearer token and the hash the server keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


async def find_token(credentials: Credentials, token: str, kind: str) -> TokenRecord:
    """The stored token of a ``kind`` holder, expired or not; Unauthenticated otherwise."""
    if len(token) > 128 or not token.isascii():
        raise Unauthenticated("malformed bearer token")
    record = await credentials.find_token(hash_token(token))
    if record is None or record.subject_kind != kind:
        raise Unauthenticated(f"unknown {kind} token")
    return record


def expired(record: TokenRecord, now: datetime) -> bool:
    return record.expires_at is None or record.expires_at <= now
