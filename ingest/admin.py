"""Administration on the server host: register and revoke devices, add people."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from evidence.errors import BadRequest
from evidence.identifiers import DeviceId
from evidence.keys import key_id, public_key_from_pem, raw_public_key
from ingest.auth import USER_ROLES, issue_user_token
from storage.interfaces import Index
from storage.records import DeviceRecord

__all__ = ["add_user", "register_device", "revoke_device"]

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


async def add_user(index: Index, name: str, role: str) -> str:
    """Add a person; return their API token, which is shown once and never stored."""
    if role not in USER_ROLES:
        raise BadRequest(f"role must be one of {', '.join(USER_ROLES)}")
    if not name or len(name) > 64 or not name.isprintable():
        raise BadRequest("a user name is 1-64 printable characters")
    await index.credentials.add_user(name, role, datetime.now(UTC))
    return await issue_user_token(index.credentials, name)
