"""Who is calling: devices by challenge and signature, people by API token.

The server keeps public keys and SHA-256 hashes of bearer tokens, never a secret a device
or person could be impersonated with. Every token expires. Flow: evidence/device_auth.py;
wire: docs/protocol.md.

Whether a device id is registered is told only to whoever proves they hold a key
registered to it: any well-formed id gets a challenge, and an answer not signed by a
registered key gets the same 401 ``unknown_device`` whether the id is unknown, or known
with another key, or revoked (docs/threat-model.md).
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
from evidence.keys import Ed25519PrivateKey, public_key_from_raw, raw_public_key
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

# Checked against answers for a device that has no key, so an unknown id costs one
# signature check like a known one. Nobody holds its private half.
_DECOY_KEY = raw_public_key(Ed25519PrivateKey.generate().public_key())


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


def issue_challenge(ctx: ServerContext, device_id: DeviceId) -> tuple[bytes, bytes]:
    """A signed challenge for any well-formed device id, registered or not."""
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
    device = await _prover(ctx, challenge.device_id, challenge_body, device_signature)
    if device.status is not DeviceStatus.ACTIVE:
        raise DeviceRevoked(f"device {device.device_id} is revoked")
    if not await ctx.index.credentials.use_nonce(challenge.nonce, challenge.expires_at, now):
        raise ChallengeReused("that challenge was already answered")
    token, token_hash = mint_token()
    expires_at = now + timedelta(seconds=ctx.config.device_token_ttl_seconds)
    await ctx.index.credentials.store_token(token_hash, "device", str(device.device_id), expires_at)
    log.info("device %s signed in", device.device_id)
    return token, expires_at


async def _prover(
    ctx: ServerContext, device_id: DeviceId, body: bytes, signature: bytes
) -> DeviceRecord:
    """The device whose registered key signed the answer. Unknown ids, other keys and
    revoked devices' other keys get one answer, after the same work."""
    device = await ctx.index.devices.get(device_id)
    keys = [key.public_key for key in await ctx.index.devices.keys_of(device_id)]
    signed = [_signed_by(raw, body, signature) for raw in keys or [_DECOY_KEY]]
    if device is None or not keys or not any(signed):
        raise UnknownDevice(
            f"no key registered to device {device_id} signed this answer: register the "
            "device's public key on the server (liuhen device register), or check its id"
        )
    return device


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
