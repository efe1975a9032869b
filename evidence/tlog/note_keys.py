"""Ed25519 keys for signed notes, and their verifier-key (vkey) strings.

    key id = SHA-256(key name || 0x0A || type || public key)[:4]      type 0x01: Ed25519
    vkey   = <key name>+<hex(key id)>+<base64(type || public key)>

as https://c2sp.org/signed-note#verifier-keys writes them, e.g.
``example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k``. A vkey is what a
log publishes and what a court expert pastes into a verifier: it names the key, and its
key id commits to the name, the algorithm and the key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature

from evidence.errors import KeyFileError, LiuhenError
from evidence.keys import Ed25519PrivateKey, Ed25519PublicKey, public_key_from_raw, raw_public_key
from evidence.tlog.codec import b64decode, b64encode
from evidence.tlog.note import NoteSignature, check_key_name

__all__ = [
    "ED25519",
    "Ed25519NoteSigner",
    "Ed25519NoteVerifier",
    "format_vkey",
    "note_key_id",
    "parse_vkey",
]

ED25519 = 0x01
ED25519_SIGNATURE_SIZE = 64
_HEX8 = re.compile(r"[0-9a-f]{8}")


def note_key_id(key_name: str, key_type: int, public_key: bytes) -> bytes:
    return hashlib.sha256(key_name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def format_vkey(key_name: str, key_type: int, public_key: bytes) -> str:
    key_id = note_key_id(key_name, key_type, public_key)
    return f"{key_name}+{key_id.hex()}+{b64encode(bytes([key_type]) + public_key)}"


def parse_vkey(vkey: str, key_type: int, key_size: int) -> tuple[str, bytes]:
    """The key name and public key of a vkey of this type; raise ``KeyFileError`` unless it
    is well formed and its key id matches its name and key."""
    parts = vkey.split("+", 2)  # base64 may hold a plus; names and ids may not
    if len(parts) != 3 or not _HEX8.fullmatch(parts[1]):
        raise KeyFileError(f"a vkey is <name>+<8 hex digits>+<base64 key>; got {vkey!r}")
    name, key_id_hex, encoded = parts
    try:
        check_key_name(name)
        key_id = bytes.fromhex(key_id_hex)
        material = b64decode(encoded, LiuhenError, "the vkey's key")
    except (LiuhenError, ValueError) as exc:
        raise KeyFileError(f"malformed vkey {vkey!r}: {exc}") from None
    if len(material) != 1 + key_size or material[0] != key_type:
        raise KeyFileError(f"vkey {name!r} is not a type {key_type:#04x} key of {key_size} bytes")
    if note_key_id(name, key_type, material[1:]) != key_id:
        raise KeyFileError(f"vkey {name!r}: the key id does not match the name and key")
    return name, material[1:]


@dataclass(frozen=True, slots=True)
class Ed25519NoteVerifier:
    key_name: str
    public_key: Ed25519PublicKey
    key_id: bytes = field(init=False)

    def __post_init__(self) -> None:
        check_key_name(self.key_name)
        raw = raw_public_key(self.public_key)
        object.__setattr__(self, "key_id", note_key_id(self.key_name, ED25519, raw))

    @classmethod
    def from_vkey(cls, vkey: str) -> Ed25519NoteVerifier:
        name, raw = parse_vkey(vkey, ED25519, 32)
        return cls(name, public_key_from_raw(raw))

    def vkey(self) -> str:
        return format_vkey(self.key_name, ED25519, raw_public_key(self.public_key))

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != ED25519_SIGNATURE_SIZE:
            return False
        try:
            self.public_key.verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class Ed25519NoteSigner:
    key_name: str
    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> Ed25519NoteVerifier:
        return Ed25519NoteVerifier(self.key_name, self.private_key.public_key())

    def sign(self, text: bytes) -> NoteSignature:
        return NoteSignature(self.key_name, self.verifier.key_id, self.private_key.sign(text))
