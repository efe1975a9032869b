"""Administration on the server host: register and revoke devices; add, list, disable,
enable people and rotate their API tokens."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from evidence.errors import BadRequest
from evidence.identifiers import DeviceId
from evidence.keys import key_id, public_key_from_pem, raw_public_key
from ingest.access.device_sign_in import USER_ROLES, IssuedToken, mint_token
from storage.interfaces import Index
from storage.records import DeviceRecord, UserListing, UserRecord

__all__ = [
    "add_user",
    "disable_user",
    "enable_user",
    "list_users",
    "register_device",
    "revoke_device",
    "rotate_user_token",
]

log = logging.getLogger(__name__)


async def register_device(
    index: Index, device_id: DeviceId, public_key_pem: bytes, label: str | None = None
) -> DeviceRecord:
    key = public_key_from_pem(public_key_pem)
    record = await index.devices.add(
        device_id, label, key_id(key), raw_public_key(key), datetime.now(UTC)
    )
    log.info("registered device %s with key %s", device_id, key_id(key))
    return record


async def revoke_device(index: Index, device_id: DeviceId) -> DeviceRecord:
    record = await index.devices.revoke(device_id, datetime.now(UTC))
    log.warning("revoked device %s", device_id)
    return record


async def add_user(index: Index, name: str, role: str, token_ttl: timedelta) -> IssuedToken:
    """Add a person; return their API token, which is shown once and never stored."""
    if role not in USER_ROLES:
        raise BadRequest(f"role must be one of {', '.join(USER_ROLES)}")
    if not name or len(name) > 64 or not name.isprintable():
        raise BadRequest("a user name is 1-64 printable characters")
    now = datetime.now(UTC)
    await index.credentials.add_user(name, role, now)
    token, token_hash = mint_token()
    await index.credentials.store_token(token_hash, "user", name, now + token_ttl)
    log.info("added user %s (%s)", name, role)
    return IssuedToken(token, now + token_ttl)


async def rotate_user_token(index: Index, name: str, token_ttl: timedelta) -> IssuedToken:
    """A new API token for ``name``; every earlier one stops working at once."""
    token, token_hash = mint_token()
    expires_at = datetime.now(UTC) + token_ttl
    await index.credentials.replace_user_token(name, token_hash, expires_at)
    log.warning("rotated the API token of user %s; the old one no longer works", name)
    return IssuedToken(token, expires_at)


async def disable_user(index: Index, name: str) -> UserRecord:
    """Refuse ``name`` on every request from now on (their token is kept, and dead)."""
    user = await index.credentials.set_disabled(name, datetime.now(UTC))
    log.warning("disabled user %s", name)
    return user


async def enable_user(index: Index, name: str) -> UserRecord:
    """Let ``name`` in again with their current token, if it has not expired."""
    user = await index.credentials.set_disabled(name, None)
    log.warning("enabled user %s", name)
    return user


async def list_users(index: Index) -> list[UserListing]:
    return await index.credentials.users()
