"""Fixed, test-only keys for the custody log's tests and golden files. Never use them
elsewhere: their private halves are right here."""

import hashlib

from evidence.keys import Ed25519PrivateKey
from evidence.tlog.checkpoint import log_origin
from evidence.tlog.note_keys import Ed25519NoteSigner


def fixed_key(label: str) -> Ed25519PrivateKey:
    seed = hashlib.sha256(b"liuhen test-only key, never use outside tests: " + label.encode())
    return Ed25519PrivateKey.from_private_bytes(seed.digest())


LOG_KEY = fixed_key("custody log")
ORIGIN = log_origin("log.example.test", LOG_KEY.public_key())
LOG_SIGNER = Ed25519NoteSigner(ORIGIN, LOG_KEY)
WITNESS_KEY = fixed_key("witness")
WITNESS_NAME = "witness.example.test/w1"
