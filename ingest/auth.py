"""Who is calling: devices by challenge and signature, people by API token.

The server keeps public keys and SHA-256 hashes of bearer tokens, never a secret a device
or person could be impersonated with. Every token expires. Flow: evidence/device_auth.py;
wire: docs/protocol.md.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from evidence.device_auth import Challenge
from evidence.errors import (
    BadChallenge,
    ChallengeReused,
    DeviceRevoked,
    Forbidden,
    LiuhenError,
    TokenExpired,
    Unauthenticated,
    UnknownDevice,
    UserDisabled,
)
from evidence.identifiers import DeviceId
from evidence.keys import public_key_from_raw
from evidence.signing import PayloadType, sign, verify
from evidence.strict_json import format_time
from ingest.context import ServerContext
from storage.interfaces import Credentials
from storage.records import DeviceRecord, DeviceStatus, TokenRecord, UserRecord

__all__ = [
    "USER_ROLES",
    "IssuedToken",
    "authenticate_device",
    "authenticate_user",
    "bound_legacy_tokens",
    "issue_challenge",
    "issue_device_token",
    "mint_token",
]

log = logging.getLogger(__name__)

USER_ROLES = ("custodian", "supervisor", "admin")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A bearer token as shown once to its holder; the server keeps only its hash."""

    token: str
    expires_at: datetime


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def mint_token() -> tuple[str, str]:
    """A new bearer token and the hash the server keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, _hash_token(token)


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send Authorization: Bearer <token>")
    token = token.strip()
    if len(token) > 128 or not token.isascii():
        raise Unauthenticated("malformed bearer token")
    return token


async def _token(ctx: ServerContext, request: web.Request, kind: str) -> TokenRecord:
    record = await ctx.index.credentials.find_token(_hash_token(_bearer(request)))
    if record is None or record.subject_kind != kind:
        raise Unauthenticated(f"unknown {kind} token")
    return record


def _expired(record: TokenRecord, now: datetime) -> bool:
    return record.expires_at is None or record.expires_at <= now


async def _active_device(ctx: ServerContext, device_id: DeviceId) -> DeviceRecord:
    device = await ctx.index.devices.get(device_id)
    if device is None:
        raise UnknownDevice(f"device {device_id} is not registered")
    if device.status is not DeviceStatus.ACTIVE:
        raise DeviceRevoked(f"device {device_id} is revoked")
    return device


async def issue_challenge(ctx: ServerContext, device_id: DeviceId) -> tuple[bytes, bytes]:
    await _active_device(ctx, device_id)
    ttl = timedelta(seconds=ctx.config.challenge_ttl_seconds)
    body = Challenge.issue(device_id, ctx.clock(), ttl).to_bytes()
    return body, sign(ctx.server_key, PayloadType.CHALLENGE, body)


async def issue_device_token(
    ctx: ServerContext, challenge_body: bytes, challenge_signature: bytes, device_signature: bytes
) -> tuple[str, datetime]:
    """Check an answered challenge; return a bearer token and when it expires."""
    try:
        verify(
            ctx.server_key.public_key(), PayloadType.CHALLENGE, challenge_body, challenge_signature
        )
    except LiuhenError:
        raise BadChallenge("that challenge was not issued by this server") from None
    challenge = Challenge.parse(challenge_body)
    now = ctx.clock()
    if now >= challenge.expires_at:
        raise BadChallenge("the challenge has expired; ask for a new one")
    device = await _active_device(ctx, challenge.device_id)
    keys = await ctx.index.devices.keys_of(device.device_id)
    if not any(_signed_by(key.public_key, challenge_body, device_signature) for key in keys):
        raise BadChallenge(f"the answer is not signed by a key registered to {device.device_id}")
    if not await ctx.index.credentials.use_nonce(challenge.nonce, challenge.expires_at, now):
        raise ChallengeReused("that challenge was already answered")
    token, token_hash = mint_token()
    expires_at = now + timedelta(seconds=ctx.config.device_token_ttl_seconds)
    await ctx.index.credentials.store_token(token_hash, "device", str(device.device_id), expires_at)
    log.info("device %s signed in", device.device_id)
    return token, expires_at


def _signed_by(raw_key: bytes, body: bytes, signature: bytes) -> bool:
    try:
        verify(public_key_from_raw(raw_key), PayloadType.TOKEN_REQUEST, body, signature)
    except LiuhenError:
        return False
    return True


async def authenticate_device(ctx: ServerContext, request: web.Request) -> DeviceRecord:
    """The active device behind this request's bearer token."""
    record = await _token(ctx, request, "device")
    if _expired(record, ctx.clock()):
        raise TokenExpired("the device token has expired; sign in again")
    device = await ctx.index.devices.get(DeviceId(record.subject))
    if device is None:
        raise Unauthenticated("unknown device token")
    if device.status is not DeviceStatus.ACTIVE:
        raise DeviceRevoked(f"device {device.device_id} is revoked")
    return device


async def authenticate_user(
    ctx: ServerContext, request: web.Request, roles: tuple[str, ...] = USER_ROLES
) -> UserRecord:
    """The enabled person behind this request's unexpired API token, in one of ``roles``.
    Disabling a person or rotating their token takes effect on their next request."""
    record = await _token(ctx, request, "user")
    user = await ctx.index.credentials.get_user(record.subject)
    if user is None:
        raise Unauthenticated("unknown user token")
    if user.disabled_at is not None:
        raise UserDisabled(f"user {user.name} is disabled; only an admin can enable them")
    if _expired(record, ctx.clock()):
        when = format_time(record.expires_at) if record.expires_at else "unknown"
        raise TokenExpired(
            f"the API token of user {user.name} has expired ({when}); ask an admin "
            f"for a new one: liuhen users rotate {user.name}"
        )
    if user.role not in roles:
        raise Forbidden(f"role {user.role} may not do this; needs one of {', '.join(roles)}")
    return user


async def bound_legacy_tokens(credentials: Credentials, now: datetime, ttl: timedelta) -> None:
    """Tokens issued before tokens expired get ``ttl`` from now, once (on the first open)."""
    count = await credentials.bound_tokens(now + ttl)
    if count:
        log.warning(
            "%d API token(s) issued without an expiry now expire at %s",
            count,
            format_time(now + ttl),
        )
