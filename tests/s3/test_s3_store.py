"""The S3 store against moto's S3 server over real HTTP: round trip, idempotent puts,
the lock on every object, a bucket unfit for evidence refused, an unreachable one a 503."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta

import pytest

from evidence.digest import Sha256
from evidence.errors import ConfigError, StorageFailure, StorageUnavailable
from evidence.identifiers import EvidenceId, Role
from storage.backends import open_blob_store
from storage.interfaces import Document
from storage.s3_blobs import S3BlobStore, open_s3_store
from tests.s3.moto import CallLog, MotoS3, free_port


def put(store: S3BlobStore, tmp_path, data: bytes) -> str:
    source = tmp_path / f"source-{len(data)}"
    source.write_bytes(data)
    return store.put_file(source, Sha256.of(data), len(data))


def assert_locked(moto: MotoS3, bucket: str, key: str, days: int) -> None:
    head = moto.client().head_object(Bucket=bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE", key
    expected = datetime.now(UTC) + timedelta(days=days)
    assert abs(head["ObjectLockRetainUntilDate"] - expected) < timedelta(minutes=5), key


def test_bytes_go_in_under_their_digest_and_come_back(store, tmp_path):
    data = os.urandom(300_000)
    locator = put(store, tmp_path, data)
    digest = Sha256.of(data).hex
    assert locator == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    assert b"".join(store.read(locator, 65536)) == data
    assert b"".join(store.read_range(locator, 1000, 5000)) == data[1000:6000]
    assert b"".join(store.read_range(locator, len(data) - 10, 100)) == data[-10:]
    assert b"".join(store.read_range(locator, len(data) + 10, 100)) == b""
    assert store.size(locator) == len(data)
    assert store.size(S3BlobStore.locator_for(Sha256.of(b"absent"))) is None


def test_the_store_is_chosen_by_name_with_boto3_loaded_only_then(moto, bucket, tmp_path):
    store = open_blob_store("s3", tmp_path, s3=moto.config(bucket))
    assert isinstance(store, S3BlobStore) and store.name == "s3"


def test_storing_bytes_held_already_writes_nothing(moto, bucket, store, tmp_path):
    data = os.urandom(4096)
    first = put(store, tmp_path, data)
    log = CallLog(moto.client(), bucket)
    log.attach(store.bucket.client)
    assert put(store, tmp_path, data) == first
    assert "PutObject" not in log.calls and log.calls[0] == "HeadObject"


def test_other_bytes_under_a_held_digest_are_refused_not_written(moto, bucket, store, tmp_path):
    data = os.urandom(4096)
    put(store, tmp_path, data)
    other = tmp_path / "other"
    other.write_bytes(os.urandom(4000))
    log = CallLog(moto.client(), bucket)
    log.attach(store.bucket.client)
    with pytest.raises(StorageFailure, match="held with other bytes"):
        store.put_file(other, Sha256.of(data), 4000)
    assert "PutObject" not in log.calls


def test_every_object_is_put_with_a_compliance_lock_and_its_checksum(moto, bucket, store, tmp_path):
    data = os.urandom(2048)
    locator = put(store, tmp_path, data)
    assert_locked(moto, bucket, locator, days=3)
    head = moto.client().head_object(Bucket=bucket, Key=locator, ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == base64.b64encode(Sha256.of(data).raw).decode()


def test_a_document_is_kept_once_and_what_is_held_wins(moto, bucket, store):
    evidence_id = EvidenceId.new()
    kept = store.keep_document(evidence_id, Role.ORIGINAL, Document.RECEIPT, b'{"first": 1}')
    assert kept == b'{"first": 1}'
    log = CallLog(moto.client(), bucket)
    log.attach(store.bucket.client)
    again = store.keep_document(evidence_id, Role.ORIGINAL, Document.RECEIPT, b'{"second": 2}')
    assert again == b'{"first": 1}'
    assert not log.writes_onto_held and "PutObject" not in log.calls
    key = f"evidence/{evidence_id}/original/receipt.json"
    assert_locked(moto, bucket, key, days=3)


def test_a_bucket_without_object_lock_is_refused_with_the_fix(moto, tmp_path):
    bucket = moto.bucket(locked=False, versioned=True)
    with pytest.raises(ConfigError, match=f"{bucket} has no Object Lock.*object-lock-enabled"):
        open_s3_store(tmp_path, moto.config(bucket))


def test_a_bucket_that_is_not_there_is_refused(moto, tmp_path):
    with pytest.raises(ConfigError, match="liuhen-missing does not exist"):
        open_s3_store(tmp_path, moto.config("liuhen-missing"))


def test_an_unreachable_endpoint_is_storage_unavailable(moto, tmp_path):
    config = moto.config("liuhen-any", endpoint_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StorageUnavailable, match="cannot be reached") as caught:
        open_s3_store(tmp_path, config)
    assert caught.value.code == "storage_unavailable" and caught.value.status == 503


def test_reads_of_a_store_that_went_away_are_storage_unavailable(own_moto, tmp_path):
    store = open_s3_store(tmp_path, own_moto.config(own_moto.bucket()))
    locator = put(store, tmp_path, b"kept")
    own_moto.stop()
    with pytest.raises(StorageUnavailable):
        b"".join(store.read(locator, 1024))
