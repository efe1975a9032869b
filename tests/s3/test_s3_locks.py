"""Retention and legal holds applied to objects already in the bucket, against moto's S3
server over real HTTP, read back with head_object (moto 5.2 answers GetObjectRetention
with a 500; head_object carries the same mode and date) and get_object_legal_hold: a date
only ever moves later, a hold goes ON and OFF, and nothing is deleted or rewritten."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from evidence.identifiers import EvidenceId, Role
from storage.interfaces import Document, LockingStore
from storage.local_blobs import LocalBlobStore
from tests.s3.moto import CallLog
from tests.s3.test_s3_store import put


def retention(moto, bucket, key) -> datetime:
    head = moto.client().head_object(Bucket=bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    until: datetime = head["ObjectLockRetainUntilDate"]
    return until


def legal_hold(moto, bucket, key) -> str:
    got = moto.client().get_object_legal_hold(Bucket=bucket, Key=key)["LegalHold"]
    return str(got.get("Status", "OFF"))  # never set: no status


def test_a_recording_made_permanent_is_locked_far_later_never_earlier(
    moto, bucket, store, tmp_path
):
    locator = put(store, tmp_path, os.urandom(4096))
    first = retention(moto, bucket, locator)
    locks = store.object_locks()
    far = datetime.now(UTC) + timedelta(days=100 * 366)
    assert locks.extend(locator, far) is True
    assert abs(retention(moto, bucket, locator) - far) < timedelta(seconds=1)
    log = CallLog(moto.client(), bucket)
    log.attach(store.bucket.client)
    assert locks.extend(locator, first) is False  # earlier: not even asked
    assert locks.extend(locator, far) is False  # the same: nothing to do
    assert "PutObjectRetention" not in log.calls
    assert abs(retention(moto, bucket, locator) - far) < timedelta(seconds=1)
    assert not log.removals and not log.writes_onto_held


def test_a_legal_hold_goes_on_and_off_and_leaves_the_date(moto, bucket, store, tmp_path):
    locator = put(store, tmp_path, os.urandom(2048))
    until = retention(moto, bucket, locator)
    locks = store.object_locks()
    assert locks.hold(locator, False) is False  # never set reads as OFF
    assert locks.hold(locator, True) is True
    assert legal_hold(moto, bucket, locator) == "ON"
    assert locks.hold(locator, True) is False
    assert locks.hold(locator, False) is True
    assert legal_hold(moto, bucket, locator) == "OFF"
    assert retention(moto, bucket, locator) == until


def test_a_recording_keys_are_its_bytes_and_the_documents_held(moto, bucket, store, tmp_path):
    data = os.urandom(1024)
    locator = put(store, tmp_path, data)
    evidence_id = EvidenceId.new()
    store.keep_document(evidence_id, Role.ORIGINAL, Document.MANIFEST, b"{}")
    store.keep_document(evidence_id, Role.ORIGINAL, Document.RECEIPT, b"{}")
    keys = store.object_locks().keys_of(evidence_id, Role.ORIGINAL, locator)
    assert keys == [
        locator,
        f"evidence/{evidence_id}/original/manifest.json",
        f"evidence/{evidence_id}/original/receipt.json",
    ]


def test_only_the_s3_store_offers_object_locks(store, tmp_path):
    assert isinstance(store, LockingStore)
    assert not isinstance(LocalBlobStore(tmp_path / "local"), LockingStore)
