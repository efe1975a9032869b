"""Devices sign in by answering a challenge the server signed, with a key registered to
them, and get a bearer token that expires.

The server keeps public keys and SHA-256 hashes of bearer tokens, never a secret a device
could be impersonated with. Flow: evidence/device_auth.py; wire: docs/protocol.md.

Whether a device id is registered is told only to whoever proves they hold a key
registered to it: any well-formed id gets a challenge, and an answer not signed by a
registered key gets the same 401 ``unknown_device`` whether the id is unknown, or known
with another key, or revoked (docs/threat-model.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from evidence.device_auth import Challenge
from evidence.errors import (
    BadChallenge,
    ChallengeReused,
    DeviceRevoked,
    LiuhenError,
    TokenExpired,
    Unauthenticated,
    UnknownDevice,
)
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PrivateKey, public_key_from_raw, raw_public_key
from evidence.signing import PayloadType, sign, verify
from ingest.access.tokens import expired, find_token, mint_token
from ingest.clock import Clock
from storage.interfaces import Credentials, Devices
from storage.records import DeviceRecord, DeviceStatus

__all__ = ["DeviceSignIn"]

log = logging.getLogger(__name__)

# Checked against answers for a device that has no key, so an unknown id costs one
# signature check like a known one. Nobody holds its private half.
_DECOY_KEY = raw_public_key(Ed25519PrivateKey.generate().public_key())


@dataclass(frozen=True)
class DeviceSignIn:
    credentials: Credentials
    devices: Devices
    server_key: Ed25519PrivateKey  # signs challenges
    clock: Clock
    challenge_ttl: timedelta
    token_ttl: timedelta

    def challenge(self, device_id: DeviceId) -> tuple[bytes, bytes]:
        """A signed challenge for any well-formed device id, registered or not."""
        body = Challenge.issue(device_id, self.clock(), self.challenge_ttl).to_bytes()
        return body, sign(self.server_key, PayloadType.CHALLENGE, body)

    async def sign_in(
        self, challenge_body: bytes, challenge_signature: bytes, device_signature: bytes
    ) -> tuple[str, datetime]:
        """Check an answered challenge; return a bearer token and when it expires."""
        try:
            verify(
                self.server_key.public_key(),
                PayloadType.CHALLENGE,
                challenge_body,
                challenge_signature,
            )
        except LiuhenError:
            raise BadChallenge("that challenge was not issued by this server") from None
        challenge = Challenge.parse(challenge_body)
        now = self.clock()
        if now >= challenge.expires_at:
            raise BadChallenge("the challenge has expired; ask for a new one")
        device = await self._prover(challenge.device_id, challenge_body, device_signature)
        if device.status is not DeviceStatus.ACTIVE:
            raise DeviceRevoked(f"device {device.device_id} is revoked")
        if not await self.credentials.use_nonce(challenge.nonce, challenge.expires_at, now):
            raise ChallengeReused("that challenge was already answered")
        token, token_hash = mint_token()
        expires_at = now + self.token_ttl
        await self.credentials.store_token(token_hash, "device", str(device.device_id), expires_at)
        log.info("device %s signed in", device.device_id)
        return token, expires_at

    async def _prover(self, device_id: DeviceId, body: bytes, signature: bytes) -> DeviceRecord:
        """The device whose registered key signed the answer. Unknown ids, other keys and
        revoked devices' other keys get one answer, after the same work."""
        device = await self.devices.get(device_id)
        keys = [key.public_key for key in await self.devices.keys_of(device_id)]
        signed = [_signed_by(raw, body, signature) for raw in keys or [_DECOY_KEY]]
        if device is None or not keys or not any(signed):
            raise UnknownDevice(
                f"no key registered to device {device_id} signed this answer: register the "
                "device's public key on the server (liuhen device register), or check its id"
            )
        return device

    async def device(self, token: str) -> DeviceRecord:
        """The active device a bearer token was issued to."""
        record = await find_token(self.credentials, token, "device")
        if expired(record, self.clock()):
            raise TokenExpired("the device token has expired; sign in again")
        device = await self.devices.get(DeviceId(record.subject))
        if device is None:
            raise Unauthenticated("unknown device token")
        if device.status is not DeviceStatus.ACTIVE:
            raise DeviceRevoked(f"device {device.device_id} is revoked")
        return device


def _signed_by(raw_key: bytes, body: bytes, signature: bytes) -> bool:
    try:
        verify(public_key_from_raw(raw_key), PayloadType.TOKEN_REQUEST, body, signature)
    except LiuhenError:
        return False
    return True
