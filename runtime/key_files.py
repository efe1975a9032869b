"""Key files: a new pair written once, and keys read back.

Both files are written 0600 in a 0700 folder (they live in a data directory; the public
one is not secret, and its owner can copy it out), and never over an existing key: a lost
key orphans its signatures. The formats are the kernel's (``evidence/keys.py``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from evidence.errors import KeyFileError
from evidence.keys import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
    private_key_from_pem,
    private_key_pem,
    public_key_from_pem,
    public_key_pem,
)
from runtime.private_files import make_private_dirs, write_private

log = logging.getLogger(__name__)

__all__ = ["generate_key_pair", "load_or_create_key", "load_private_key", "load_public_key"]


def generate_key_pair(private_path: Path, public_path: Path | None = None) -> Ed25519PrivateKey:
    """Write a new key pair. Refuses to overwrite: a lost key orphans its signatures."""
    public_path = public_path or private_path.with_suffix(".pub.pem")
    for path in (private_path, public_path):
        if path.exists():
            raise KeyFileError(f"{path} exists; refusing to overwrite a key")
    make_private_dirs(private_path.parent)
    make_private_dirs(public_path.parent)
    key = Ed25519PrivateKey.generate()
    write_private(private_path, private_key_pem(key))
    write_private(public_path, public_key_pem(key.public_key()))
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read private key {path}: {exc.strerror}") from exc
    return private_key_from_pem(pem, str(path))


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read public key {path}: {exc.strerror}") from exc
    return public_key_from_pem(pem)


def load_or_create_key(path: Path, public_path: Path, what: str) -> Ed25519PrivateKey:
    """Load a server-side signing key, creating it on first start (like an SSH host key);
    ``what`` names it in the warning."""
    if not path.exists():
        log.warning("no %s at %s; generating one", what, path)
        try:
            return generate_key_pair(path, public_path)
        except KeyFileError:
            pass  # another process created it first
    return load_private_key(path)
