"""Detached Ed25519 signatures over exact bytes, domain-separated by payload type.

What is signed is the DSSE pre-authentication encoding (PAE) of a payload type and body:

    "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body      (LEN: ASCII decimal)

so a manifest signature can never pass as a receipt signature, or the other way round.
The body is kept and verified as the exact bytes that were signed; nothing is re-serialised.
Stock ``openssl pkeyutl -verify -rawin`` checks it once the PAE bytes are rebuilt with
``printf`` (docs/manifest.md shows how).
"""

from __future__ import annotations

import enum

from cryptography.exceptions import InvalidSignature

from evidence.errors import BadSignature
from evidence.keys import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["PayloadType", "pae", "sign", "verify"]

SIGNATURE_SIZE = 64


class PayloadType(enum.StrEnum):
    MANIFEST = "application/vnd.liuhen.manifest.v1+json"
    RECEIPT = "application/vnd.liuhen.receipt.v1+json"
    CHALLENGE = "application/vnd.liuhen.challenge.v1+json"
    TOKEN_REQUEST = "application/vnd.liuhen.token-request.v1+json"  # noqa: S105 - a type name


def pae(payload_type: PayloadType, body: bytes) -> bytes:
    kind = payload_type.value.encode("ascii")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(body), body)


def sign(key: Ed25519PrivateKey, payload_type: PayloadType, body: bytes) -> bytes:
    return key.sign(pae(payload_type, body))


def verify(key: Ed25519PublicKey, payload_type: PayloadType, body: bytes, signature: bytes) -> None:
    """Raise ``BadSignature`` unless ``signature`` is ``key``'s over this type and body."""
    if len(signature) != SIGNATURE_SIZE:
        raise BadSignature(f"an Ed25519 signature is {SIGNATURE_SIZE} bytes, not {len(signature)}")
    try:
        key.verify(signature, pae(payload_type, body))
    except InvalidSignature:
        raise BadSignature(f"signature does not verify as {payload_type.value}") from None
