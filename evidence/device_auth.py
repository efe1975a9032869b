"""How a device proves who it is without the server holding any device secret.

1. The device asks for a challenge; the server returns a ``Challenge`` it signed itself
   (so it keeps no state for challenges it hands out).
2. The device signs the exact challenge bytes with its own key as a token request.
3. The server checks its own signature, the expiry, the device's signature under the
   registered public key, and that the nonce was never used; then it issues a short-lived
   bearer token and keeps only the token's SHA-256.

No clock on the device is trusted: expiry is the server's own time, stamped by the server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from evidence.errors import BadChallenge, MalformedBody
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PrivateKey
from evidence.signing import PayloadType, sign
from evidence.strict_json import Fields, canonical_bytes, format_time, loads_object

__all__ = ["CHALLENGE_TYPE", "Challenge", "answer_challenge"]

CHALLENGE_TYPE = "liuhen.challenge"
CHALLENGE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Challenge:
    device_id: DeviceId
    nonce: str
    issued_at: datetime
    expires_at: datetime

    @classmethod
    def issue(cls, device_id: DeviceId, now: datetime, ttl: timedelta) -> Challenge:
        return cls(device_id, secrets.token_hex(32), now, now + ttl)

    def to_bytes(self) -> bytes:
        return canonical_bytes(
            {
                "type": CHALLENGE_TYPE,
                "version": CHALLENGE_VERSION,
                "device_id": str(self.device_id),
                "nonce": self.nonce,
                "issued_at": format_time(self.issued_at),
                "expires_at": format_time(self.expires_at),
            }
        )

    @classmethod
    def parse(cls, body: bytes) -> Challenge:
        top = Fields(loads_object(body, MalformedBody, "challenge"), BadChallenge)
        top.constant("type", CHALLENGE_TYPE)
        top.constant("version", CHALLENGE_VERSION)
        challenge = cls(
            device_id=top.convert("device_id", top.text("device_id"), DeviceId),
            nonce=top.text("nonce", max_length=64),
            issued_at=top.time("issued_at"),
            expires_at=top.time("expires_at"),
        )
        top.done()
        return challenge


def answer_challenge(challenge_body: bytes, key: Ed25519PrivateKey) -> bytes:
    """The device's side: sign the challenge exactly as received."""
    return sign(key, PayloadType.TOKEN_REQUEST, challenge_body)
