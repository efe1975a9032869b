"""Verification as small composable policies. ``AllOf`` refuses to be empty: a check that
checks nothing must never pass.

Finalize uses ``check`` (the first failure stops it); re-verification uses ``evaluate``
(every policy reports, so a custodian sees everything that is wrong at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from evidence.digest import Fingerprint
from evidence.errors import (
    ChunkRootMismatch,
    DigestMismatch,
    IntegrityError,
    KeyMismatch,
    LiuhenError,
    SizeMismatch,
)
from evidence.keys import Ed25519PublicKey
from evidence.manifest import SignedManifest
from evidence.receipt import SignedReceipt

__all__ = [
    "AllOf",
    "ChunksMatch",
    "DigestMatches",
    "Outcome",
    "Policy",
    "ReceiptValid",
    "SignatureValid",
    "SizeMatches",
    "Subject",
]


@dataclass(frozen=True, slots=True)
class Subject:
    """What is verified: a signed manifest, the key it should verify under, and whatever
    else is at hand (the bytes' fingerprint, a receipt and the server key)."""

    signed: SignedManifest
    device_key: Ed25519PublicKey | None
    fingerprint: Fingerprint | None = None
    receipt: SignedReceipt | None = None
    server_key: Ed25519PublicKey | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    policy: str
    ok: bool
    code: str | None = None
    message: str | None = None


class Policy(Protocol):
    name: str

    def check(self, subject: Subject) -> None: ...


def _fingerprint(subject: Subject) -> Fingerprint:
    if subject.fingerprint is None:
        raise IntegrityError("no bytes were read to check")
    return subject.fingerprint


class SignatureValid:
    name = "signature"

    def check(self, subject: Subject) -> None:
        if subject.device_key is None:
            raise KeyMismatch(f"key {subject.signed.manifest.key_id} is not registered")
        subject.signed.verify(subject.device_key)


class SizeMatches:
    name = "size"

    def check(self, subject: Subject) -> None:
        got, want = _fingerprint(subject).size, subject.signed.manifest.size
        if got != want:
            raise SizeMismatch(f"{got} bytes, the manifest says {want}", got=got, expected=want)


class DigestMatches:
    name = "sha256"

    def check(self, subject: Subject) -> None:
        got, want = _fingerprint(subject).sha256, subject.signed.manifest.sha256
        if got != want:
            raise DigestMismatch(f"SHA-256 is {got}, the manifest says {want}", got=got.hex)


class ChunksMatch:
    """Every chunk and the root: names the damaged chunks, so damage is pinned down."""

    name = "chunks"

    def check(self, subject: Subject) -> None:
        fingerprint, manifest = _fingerprint(subject), subject.signed.manifest
        bad = [
            index
            for index, (got, want) in enumerate(
                zip(fingerprint.chunks, manifest.chunks, strict=False)
            )
            if got != want
        ]
        if (
            len(fingerprint.chunks) != len(manifest.chunks)
            or bad
            or fingerprint.root != manifest.root
        ):
            raise ChunkRootMismatch(
                f"chunk root differs; damaged chunks: {bad or 'count differs'}",
                damaged_chunks=bad,
                chunk_size=manifest.chunk_size,
            )


class ReceiptValid:
    name = "receipt"

    def check(self, subject: Subject) -> None:
        if subject.receipt is None or subject.server_key is None:
            raise IntegrityError("no receipt or server key to check it with")
        subject.receipt.verify(subject.server_key)
        subject.receipt.check_covers(subject.signed)


class AllOf:
    def __init__(self, *policies: Policy) -> None:
        if not policies:
            raise ValueError("an empty AllOf would verify nothing")
        self.policies = policies

    def check(self, subject: Subject) -> None:
        for policy in self.policies:
            policy.check(subject)

    def evaluate(self, subject: Subject) -> list[Outcome]:
        outcomes = []
        for policy in self.policies:
            try:
                policy.check(subject)
            except LiuhenError as exc:
                outcomes.append(Outcome(policy.name, False, exc.code, exc.message))
            else:
                outcomes.append(Outcome(policy.name, True))
        return outcomes
