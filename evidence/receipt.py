"""Receipt v1: the server's signed statement that it verified and stored one object.

An agent frees local footage only after it holds a receipt that verifies under the pinned
server key and names the exact manifest it sent (``SignedReceipt.check_covers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidence.digest import Sha256
from evidence.errors import MalformedBody, ReceiptMismatch
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.keys import Ed25519PrivateKey, Ed25519PublicKey
from evidence.manifest import SignedManifest
from evidence.signing import PayloadType, sign, verify
from evidence.strict_json import Fields, canonical_bytes, format_time, loads_object

__all__ = ["RECEIPT_TYPE", "Receipt", "SignedReceipt"]

RECEIPT_TYPE = "liuhen.receipt"
RECEIPT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Receipt:
    evidence_id: EvidenceId
    role: Role
    device_id: DeviceId
    sequence: int
    manifest_sha256: Sha256
    size: int
    sha256: Sha256
    chunk_root: Sha256
    store: str
    locator: str
    received_at: datetime
    server_key_id: str

    def to_bytes(self) -> bytes:
        return canonical_bytes(
            {
                "type": RECEIPT_TYPE,
                "version": RECEIPT_VERSION,
                "evidence_id": str(self.evidence_id),
                "role": self.role.value,
                "device_id": str(self.device_id),
                "sequence": self.sequence,
                "manifest_sha256": self.manifest_sha256.hex,
                "file": {"size": self.size, "sha256": self.sha256.hex},
                "chunk_root": self.chunk_root.hex,
                "stored": {"store": self.store, "locator": self.locator},
                "received_at": format_time(self.received_at),
                "server_key_id": self.server_key_id,
            }
        )

    @classmethod
    def parse(cls, body: bytes) -> Receipt:
        top = Fields(loads_object(body, MalformedBody, "receipt"), MalformedBody)
        top.constant("type", RECEIPT_TYPE)
        top.constant("version", RECEIPT_VERSION)
        file = top.section("file")
        stored = top.section("stored")
        receipt = cls(
            evidence_id=top.convert("evidence_id", top.text("evidence_id"), EvidenceId),
            role=top.convert("role", top.text("role"), Role.parse),
            device_id=top.convert("device_id", top.text("device_id"), DeviceId),
            sequence=top.integer("sequence", minimum=1),
            manifest_sha256=top.convert("manifest_sha256", top.text("manifest_sha256"), Sha256),
            size=file.integer("size"),
            sha256=file.convert("sha256", file.text("sha256"), Sha256),
            chunk_root=top.convert("chunk_root", top.text("chunk_root"), Sha256),
            store=stored.text("store", max_length=32),
            locator=stored.text("locator", max_length=1024),
            received_at=top.time("received_at"),
            server_key_id=top.text("server_key_id", max_length=64),
        )
        file.done()
        stored.done()
        top.done()
        return receipt


@dataclass(frozen=True, slots=True)
class SignedReceipt:
    body: bytes
    signature: bytes
    receipt: Receipt

    @classmethod
    def create(cls, receipt: Receipt, key: Ed25519PrivateKey) -> SignedReceipt:
        body = receipt.to_bytes()
        return cls(body, sign(key, PayloadType.RECEIPT, body), receipt)

    @classmethod
    def parse(cls, body: bytes, signature: bytes) -> SignedReceipt:
        return cls(body, signature, Receipt.parse(body))

    def verify(self, server_key: Ed25519PublicKey) -> None:
        verify(server_key, PayloadType.RECEIPT, self.body, self.signature)

    def check_covers(self, signed: SignedManifest) -> None:
        """Raise ``ReceiptMismatch`` unless this receipt is for exactly that manifest."""
        manifest, receipt = signed.manifest, self.receipt
        expected: dict[str, Any] = {
            "manifest_sha256": signed.sha256,
            "evidence_id": manifest.evidence_id,
            "role": manifest.role,
            "device_id": manifest.device_id,
            "sha256": manifest.sha256,
            "size": manifest.size,
            "chunk_root": manifest.root,
        }
        wrong = [name for name, value in expected.items() if getattr(receipt, name) != value]
        if wrong:
            raise ReceiptMismatch(f"receipt does not match the manifest in: {', '.join(wrong)}")
