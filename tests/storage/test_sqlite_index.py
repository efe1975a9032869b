"""The SQLite index keeps what was attested: append-only tables, compare-and-set offsets."""

import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from evidence.digest import Sha256
from evidence.errors import ManifestConflict, SequenceReused, StorageFailure
from evidence.identifiers import DeviceId, EvidenceId, Role
from storage.records import ManifestRecord, UploadRecord, UploadState
from storage.sqlite import open_sqlite_index

NOW = datetime(2026, 3, 12, tzinfo=UTC)
DEVICE = DeviceId("dock-1")


@pytest.fixture
async def index(tmp_path):
    opened = await open_sqlite_index(tmp_path / "index.sqlite3")
    await opened.devices.add(DEVICE, None, "k" * 64, bytes(32), NOW)
    yield opened
    await opened.close()


def manifest(sequence=1, body=b"m", evidence_id=None):
    return ManifestRecord(
        evidence_id=evidence_id or EvidenceId.new(),
        role=Role.ORIGINAL,
        device_id=DEVICE,
        key_id="k" * 64,
        sequence=sequence,
        previous_sha256=None,
        manifest_sha256=Sha256.of(body),
        body=body,
        signature=bytes(64),
        case_number=None,
        registered_at=NOW,
    )


async def test_manifests_are_idempotent_and_conflicts_are_refused(index):
    record = manifest()
    assert (await index.uploads.register_manifest(record))[1] is True
    assert (await index.uploads.register_manifest(record))[1] is False
    with pytest.raises(ManifestConflict):
        await index.uploads.register_manifest(
            manifest(body=b"other", evidence_id=record.evidence_id)
        )
    with pytest.raises(SequenceReused):
        await index.uploads.register_manifest(manifest(body=b"third"))


async def test_manifests_cannot_be_updated_or_deleted_even_with_raw_sql(index, tmp_path):
    await index.uploads.register_manifest(manifest())
    database = sqlite3.connect(tmp_path / "index.sqlite3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute("UPDATE manifests SET body = x'00'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute("DELETE FROM manifests")
    database.close()


async def test_offsets_advance_only_from_the_expected_value(index):
    record = manifest()
    await index.uploads.register_manifest(record)
    upload = UploadRecord(
        upload_id="a" * 32,
        evidence_id=record.evidence_id,
        role=Role.ORIGINAL,
        device_id=DEVICE,
        length=100,
        offset=0,
        state=UploadState.OPEN,
        metadata="",
        created_at=NOW,
        expires_at=NOW + timedelta(days=1),
    )
    _created, new = await index.uploads.create_upload(upload)
    assert new
    again, new = await index.uploads.create_upload(dataclasses.replace(upload, upload_id="b" * 32))
    assert not new and again.upload_id == upload.upload_id, "one live upload per object"
    assert await index.uploads.advance(upload.upload_id, 0, 50, NOW)
    assert not await index.uploads.advance(upload.upload_id, 0, 60, NOW), (
        "a stale offset must not win"
    )
    assert (await index.uploads.upload(upload.upload_id)).offset == 50


async def test_one_flag_per_open_subject(index):
    assert await index.flags.raise_flag("sequence_gap", "dock-1#2", "{}", NOW, device_id=DEVICE)
    assert not await index.flags.raise_flag("sequence_gap", "dock-1#2", "{}", NOW, device_id=DEVICE)
    assert await index.flags.resolve("sequence_gap", "dock-1#2", "arrived", NOW)
    assert await index.flags.raise_flag("sequence_gap", "dock-1#2", "{}", NOW, device_id=DEVICE)
    assert len(await index.flags.open_flags("sequence_gap")) == 1


async def test_sqlite_errors_become_storage_failures(index):
    with pytest.raises(StorageFailure):
        await index.uploads.register_manifest(
            dataclasses.replace(manifest(), device_id=DeviceId("unregistered"))
        )
