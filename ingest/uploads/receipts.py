"""The receipt finalize signs, and the signed documents kept beside the stored bytes when
the store keeps them (S3: ``storage.interfaces.SignedDocuments``): the manifest's exact
bytes and signature, then the receipt's, each written once.

A receipt the store already holds (a finalize that stopped after keeping it and before
indexing it) is the receipt: it is taken again, its signature made anew (Ed25519 gives
the same signature for the same bytes), and no second receipt is written, so the bucket
and the index never disagree.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from evidence.digest import Fingerprint
from evidence.errors import StorageFailure
from evidence.keys import Ed25519PrivateKey, key_id
from evidence.manifest import SignedManifest
from evidence.receipt import Receipt, SignedReceipt
from evidence.signing import PayloadType, sign
from storage.interfaces import Document, SignedDocuments

__all__ = ["keep_documents", "make_receipt"]


def make_receipt(
    signed: SignedManifest,
    fingerprint: Fingerprint,
    store: str,
    locator: str,
    received_at: datetime,
    server_key: Ed25519PrivateKey,
) -> SignedReceipt:
    manifest = signed.manifest
    receipt = Receipt(
        evidence_id=manifest.evidence_id,
        role=manifest.role,
        device_id=manifest.device_id,
        sequence=manifest.sequence,
        manifest_sha256=signed.sha256,
        size=fingerprint.size,
        sha256=fingerprint.sha256,
        chunk_root=fingerprint.root,
        store=store,
        locator=locator,
        received_at=received_at,
        server_key_id=key_id(server_key.public_key()),
    )
    return SignedReceipt.create(receipt, server_key)


async def _keep(
    documents: SignedDocuments, signed: SignedManifest, document: Document, data: bytes
) -> bytes:
    manifest = signed.manifest
    return await asyncio.to_thread(
        documents.keep_document, manifest.evidence_id, manifest.role, document, data
    )


async def keep_documents(
    documents: SignedDocuments,
    signed: SignedManifest,
    receipt: SignedReceipt,
    server_key: Ed25519PrivateKey,
) -> SignedReceipt:
    """Keep the manifest and the receipt beside the bytes; return the receipt kept."""
    name = f"{signed.manifest.evidence_id}/{signed.manifest.role}"
    for document, data in (
        (Document.MANIFEST, signed.body),
        (Document.MANIFEST_SIGNATURE, signed.signature),
    ):
        if await _keep(documents, signed, document, data) != data:
            raise StorageFailure(f"the store holds another {document.value} for {name}")
    body = await _keep(documents, signed, Document.RECEIPT, receipt.body)
    if body != receipt.body:
        held = SignedReceipt(body, sign(server_key, PayloadType.RECEIPT, body), Receipt.parse(body))
        fields = ("manifest_sha256", "sha256", "size", "chunk_root", "locator")
        if any(getattr(held.receipt, f) != getattr(receipt.receipt, f) for f in fields):
            raise StorageFailure(f"the store holds a receipt for {name} naming other bytes")
        receipt = held
    if await _keep(documents, signed, Document.RECEIPT_SIGNATURE, receipt.signature) != (
        receipt.signature
    ):
        raise StorageFailure(f"the store holds a receipt signature for {name} by another key")
    return receipt
