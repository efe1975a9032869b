"""Who is calling: devices by challenge and signature, people by API token.

The server keeps public keys and SHA-256 hashes of bearer tokens, never a secret a device
or person could be impersonated with. Flow: evidence/device_auth.py; wire: docs/protocol.md.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from aiohttp import web

from evidence.device_auth import Challenge
from evidence.errors import (
    BadChallenge,
    ChallengeReused,
    DeviceRevoked,
    Forbidden,
    LiuhenError,
    Unauthenticated,
    UnknownDevice,
)
from evidence.identifiers import DeviceId
from evidence.keys import public_key_from_raw
from evidence.signing import PayloadType, sign, verify
from ingest.context import ServerContext
from storage.interfaces import Credentials
from storage.records import DeviceRecord, DeviceStatus, UserRecord

__all__ = [
    "USER_ROLES",
    "authenticate_device",
    "authenticate_user",
    "issue_challenge",
    "issue_device_token",
    "issue_user_token",
]

log = logging.getLogger(__name__)

USER_ROLES = ("custodian", "supervisor", "admin")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send Authorization: Bearer <token>")
    token = token.strip()
    if len(token) > 128 or not token.isascii():
        raise Unauthenticated("malformed bearer token")
    return token


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
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=ctx.config.device_token_ttl_seconds)
    await ctx.index.credentials.store_token(
        _hash_token(token), "device", str(device.device_id), expires_at
    )
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
    record = await ctx.index.credentials.find_token(_hash_token(_bearer(request)), ctx.clock())
    if record is None or record.subject_kind != "device":
        raise Unauthenticated("unknown or expired device token; sign in again")
    return await _active_device(ctx, DeviceId(record.subject))


async def authenticate_user(
    ctx: ServerContext, request: web.Request, roles: tuple[str, ...] = USER_ROLES
) -> UserRecord:
    record = await ctx.index.credentials.find_token(_hash_token(_bearer(request)), ctx.clock())
    if record is None or record.subject_kind != "user":
        raise Unauthenticated("unknown or expired user token")
    user = await ctx.index.credentials.get_user(record.subject)
    if user is None or user.disabled_at is not None:
        raise Unauthenticated(f"user {record.subject} is disabled")
    if user.role not in roles:
        raise Forbidden(f"role {user.role} may not do this; needs one of {', '.join(roles)}")
    return user


async def issue_user_token(credentials: Credentials, name: str) -> str:
    """A long-lived API token for a person; shown once, kept only as its hash."""
    token = secrets.token_urlsafe(32)
    await credentials.store_token(_hash_token(token), "user", name, None)
    return token
