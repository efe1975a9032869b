"""C2SP tlog-cosignature, Ed25519 ``cosignature/v1``: a witness's line on a checkpoint.

A witness that has checked a checkpoint is consistent with every one it saw before adds a
note signature line (https://c2sp.org/tlog-cosignature):

    key id    = SHA-256(<witness name> || 0x0A || 0x04 || public key)[:4]
    signature = 8-byte big-endian POSIX time || Ed25519 signature over
                "cosignature/v1\\n" "time <time>\\n" <checkpoint text>

Liuhen builds no witness; ``CosignatureVerifier`` lets a verifier count the cosignatures
of the witnesses it trusts (``trust.LogTrust.witnesses``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature

from evidence.keys import Ed25519PublicKey, public_key_from_raw, raw_public_key
from evidence.ranges import INT64_MAX
from evidence.tlog.note import check_key_name
from evidence.tlog.note_keys import format_vkey, note_key_id, parse_vkey

__all__ = ["COSIGNATURE_V1", "CosignatureVerifier", "cosigned_message"]

COSIGNATURE_V1 = 0x04
_SIZE = 8 + 64


def cosigned_message(timestamp: int, checkpoint_text: bytes) -> bytes:
    return b"cosignature/v1\ntime %d\n" % timestamp + checkpoint_text


@dataclass(frozen=True, slots=True)
class CosignatureVerifier:
    key_name: str
    public_key: Ed25519PublicKey
    key_id: bytes = field(init=False)

    def __post_init__(self) -> None:
        check_key_name(self.key_name)
        raw = raw_public_key(self.public_key)
        object.__setattr__(self, "key_id", note_key_id(self.key_name, COSIGNATURE_V1, raw))

    @classmethod
    def from_vkey(cls, vkey: str) -> CosignatureVerifier:
        name, raw = parse_vkey(vkey, COSIGNATURE_V1, 32)
        return cls(name, public_key_from_raw(raw))

    def vkey(self) -> str:
        return format_vkey(self.key_name, COSIGNATURE_V1, raw_public_key(self.public_key))

    @staticmethod
    def timestamp(signature: bytes) -> int:
        """When the witness cosigned (POSIX seconds), read from a cosignature's bytes."""
        return int.from_bytes(signature[:8], "big")

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != _SIZE or self.timestamp(signature) > INT64_MAX:
            return False
        try:
            self.public_key.verify(signature[8:], cosigned_message(self.timestamp(signature), text))
        except InvalidSignature:
            return False
        return True
