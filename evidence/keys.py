"""Ed25519 keys: generate, save, load, and name them.

Private keys are PKCS#8 PEM files, public keys SubjectPublicKeyInfo PEM, so stock
``openssl`` reads both. Both are written 0600 in a 0700 folder (they live in a data
directory; the public one is not secret, and its owner can copy it out). A key's id is
the SHA-256 of its 32 raw public bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from evidence.errors import KeyFileError
from evidence.private_files import make_private_dirs, write_private

__all__ = [
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "generate_key_pair",
    "key_id",
    "load_private_key",
    "load_public_key",
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


def generate_key_pair(private_path: Path, public_path: Path | None = None) -> Ed25519PrivateKey:
    """Write a new key pair. Refuses to overwrite: a lost key orphans its signatures."""
    public_path = public_path or private_path.with_suffix(".pub.pem")
    for path in (private_path, public_path):
        if path.exists():
            raise KeyFileError(f"{path} exists; refusing to overwrite a key")
    make_private_dirs(private_path.parent)
    make_private_dirs(public_path.parent)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_private(private_path, pem)
    write_private(public_path, public_key_pem(key.public_key()))
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read private key {path}: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{path} is not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read public key {path}: {exc.strerror}") from exc
    return public_key_from_pem(pem)
