"""Ed25519 keys: their formats, and their names.

Private keys are PKCS#8 PEM, public keys SubjectPublicKeyInfo PEM, so stock ``openssl``
reads both. A key's id is the SHA-256 of its 32 raw public bytes. Writing and reading key
files is ``runtime/key_files.py``'s.
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from evidence.errors import KeyFileError

__all__ = [
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "key_id",
    "private_key_from_pem",
    "private_key_pem",
    "public_key_from_pem",
    "public_key_from_raw",
    "public_key_pem",
    "raw_public_key",
]


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public_key(public_key)).hexdigest()


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise KeyFileError(f"not a raw Ed25519 public key: {exc}") from exc


def public_key_from_pem(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError("the public key is not Ed25519")
    return key


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted: the file's mode keeps it private (runtime/key_files.py)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def private_key_from_pem(pem: bytes, where: str) -> Ed25519PrivateKey:
    """The key in ``pem``; ``where`` names its source in the error."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{where} is not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{where} is not an Ed25519 key")
    return key
