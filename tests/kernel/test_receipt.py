from datetime import UTC, datetime

import pytest

from evidence.digest import Sha256
from evidence.errors import BadSignature, MalformedBody, ReceiptMismatch
from evidence.keys import Ed25519PrivateKey
from evidence.receipt import Receipt, SignedReceipt
from evidence.signing import PayloadType, sign
from tests.builders import signed_for

DEVICE_KEY = Ed25519PrivateKey.generate()
SERVER_KEY = Ed25519PrivateKey.generate()


def receipt_for(signed, **changes):
    manifest = signed.manifest
    fields = dict(
        evidence_id=manifest.evidence_id,
        role=manifest.role,
        device_id=manifest.device_id,
        sequence=manifest.sequence,
        manifest_sha256=signed.sha256,
        size=manifest.size,
        sha256=manifest.sha256,
        chunk_root=manifest.root,
        store="local",
        locator="sha256/aa/bb/x",
        received_at=datetime.now(UTC),
        server_key_id="0" * 64,
    )
    fields.update(changes)
    return SignedReceipt.create(Receipt(**fields), SERVER_KEY)


def test_a_receipt_verifies_parses_and_covers_its_manifest():
    signed = signed_for(b"footage", "dock-1", DEVICE_KEY)
    receipt = receipt_for(signed)
    parsed = SignedReceipt.parse(receipt.body, receipt.signature)
    parsed.verify(SERVER_KEY.public_key())
    parsed.check_covers(signed)
    assert parsed.receipt == receipt.receipt


def test_a_receipt_for_other_bytes_does_not_cover_the_manifest():
    signed = signed_for(b"footage", "dock-1", DEVICE_KEY)
    with pytest.raises(ReceiptMismatch, match="sha256"):
        receipt_for(signed, sha256=Sha256.of(b"other")).check_covers(signed)


def test_a_manifest_signature_is_not_a_receipt_signature():
    signed = signed_for(b"footage", "dock-1", DEVICE_KEY)
    body = receipt_for(signed).body
    manifest_style = sign(SERVER_KEY, PayloadType.MANIFEST, body)  # right key, wrong domain
    with pytest.raises(BadSignature, match=r"does not verify as .*receipt"):
        SignedReceipt.parse(body, manifest_style).verify(SERVER_KEY.public_key())


def test_a_malformed_receipt_is_refused():
    with pytest.raises(MalformedBody, match="missing field version"):
        SignedReceipt.parse(b'{"type": "liuhen.receipt"}', bytes(64))
