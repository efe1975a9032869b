"""The index keeps what was attested: append-only tables, compare-and-set offsets. Every
test that takes ``index`` runs on SQLite and on PostgreSQL (tests/index_backends.py)."""

import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from evidence.digest import Sha256
from evidence.errors import (
    AlreadyResolved,
    ManifestConflict,
    SequenceReused,
    StorageFailure,
    UnknownFlag,
)
from evidence.identifiers import DeviceId, EvidenceId, Role
from storage.records import ManifestRecord, UploadRecord, UploadState
from storage.sqlite import open_sqlite_index

NOW = datetime(2026, 3, 12, tzinfo=UTC)
DEVICE = DeviceId("dock-1")


@pytest.fixture
async def index(tmp_path, open_index_at):
    opened = await open_index_at(tmp_path / "index.sqlite3")
    await opened.devices.add(DEVICE, None, "k" * 64, bytes(32), NOW)
    yield opened
    await opened.close()


@pytest.fixture
async def sqlite_index(tmp_path):
    """For SQLite's upgrade steps, which PostgreSQL (created at the current version) lacks."""
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
    with pytest.raises(ManifestConflict, match="already has a different manifest"):
        await index.uploads.register_manifest(
            manifest(body=b"other", evidence_id=record.evidence_id)
        )
    with pytest.raises(SequenceReused, match="already used sequence 1"):
        await index.uploads.register_manifest(manifest(body=b"third"))


async def test_a_devices_last_manifest_below_a_sequence(index):
    assert await index.uploads.last_manifest(DEVICE) is None
    for sequence in (1, 2, 5):
        await index.uploads.register_manifest(manifest(sequence, body=b"m%d" % sequence))
    assert (await index.uploads.last_manifest(DEVICE)).sequence == 5
    assert (await index.uploads.last_manifest(DEVICE, below=5)).sequence == 2
    assert (await index.uploads.last_manifest(DEVICE, below=2)).sequence == 1
    assert await index.uploads.last_manifest(DEVICE, below=1) is None
    assert await index.uploads.last_manifest(DeviceId("dock-2")) is None


async def test_manifests_cannot_be_updated_or_deleted_even_with_raw_sql(
    index, tmp_path, raw_sql_at
):
    await index.uploads.register_manifest(manifest())
    database = raw_sql_at(tmp_path / "index.sqlite3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute("UPDATE manifests SET body = signature")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute("DELETE FROM manifests")


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
    assert await index.flags.resolve("sequence_gap", "dock-1#2", "arrived", "liuhen-ingest", NOW)
    assert await index.flags.raise_flag("sequence_gap", "dock-1#2", "{}", NOW, device_id=DEVICE)
    assert len(await index.flags.open_flags("sequence_gap")) == 1
    [resolved] = await index.flags.flags("sequence_gap", is_open=False)
    assert (resolved.resolution, resolved.resolved_by, resolved.resolved_at) == (
        "arrived",
        "liuhen-ingest",
        NOW,
    )


async def test_a_flag_is_resolved_once_with_who_when_and_why_and_kept(index, tmp_path, raw_sql_at):
    await index.flags.raise_flag("late_upload", "e-1", '{"hours": 30}', NOW)
    await index.flags.raise_flag("sequence_gap", "dock-1#2", "{}", NOW, device_id=DEVICE)
    late, gap = await index.flags.flags()
    later = NOW + timedelta(hours=1)
    resolved = await index.flags.resolve_flag(late.flag_id, "dock was offline", "zhao", later)
    assert (resolved.open, resolved.resolved_by, resolved.resolved_at) == (False, "zhao", later)
    with pytest.raises(AlreadyResolved, match="was resolved by zhao") as caught:
        await index.flags.resolve_flag(late.flag_id, "again", "li", later)
    assert caught.value.details == {"resolved_by": "zhao"}
    with pytest.raises(UnknownFlag, match="no flag 999"):
        await index.flags.resolve_flag(999, "no such", "zhao", later)
    assert [f.flag_id for f in await index.flags.flags(is_open=True)] == [gap.flag_id]
    assert [f.flag_id for f in await index.flags.flags(is_open=False)] == [late.flag_id]
    assert [f.flag_id for f in await index.flags.flags("late_upload")] == [late.flag_id]
    assert [f.flag_id for f in await index.flags.flags(limit=1, offset=1)] == [gap.flag_id]
    raw = raw_sql_at(tmp_path / "index.sqlite3")
    for statement in [
        "UPDATE flags SET resolution = 'rewritten' WHERE kind = 'late_upload'",
        "UPDATE flags SET resolved_at = NULL WHERE kind = 'late_upload'",
        "UPDATE flags SET detail = '{}' WHERE kind = 'sequence_gap'",
        # resolving needs who and why
        "UPDATE flags SET resolved_at = 'x', resolution = 'y' WHERE kind = 'sequence_gap'",
        "UPDATE flags SET resolved_at = 'x', resolved_by = 'y' WHERE kind = 'sequence_gap'",
        "DELETE FROM flags",
    ]:
        with pytest.raises(sqlite3.IntegrityError, match="flag"):
            raw.execute(statement)


async def test_flags_resolved_before_resolved_by_existed_are_credited_to_the_server(
    sqlite_index, tmp_path
):
    index = sqlite_index
    await index.flags.raise_flag("sequence_gap", "dock-1#2", "{}", NOW, device_id=DEVICE)
    await index.flags.raise_flag("sequence_gap", "dock-1#3", "{}", NOW, device_id=DEVICE)
    await index.close()
    raw = sqlite3.connect(tmp_path / "index.sqlite3")
    raw.executescript(  # the flags table as it was: no resolved_by, no resolution trigger
        "DROP TRIGGER flags_resolved_once; DROP INDEX flags_one_open;"
        "CREATE TABLE old AS SELECT id, kind, device_id, evidence_id, role, subject, detail, "
        "raised_at, resolved_at, resolution FROM flags; DROP TRIGGER flags_never_deleted;"
        "DROP TABLE flags; ALTER TABLE old RENAME TO flags;"
        "UPDATE flags SET resolved_at = '2026-03-12T00:00:00.000000Z', resolution = 'arrived' "
        "WHERE subject = 'dock-1#2'; PRAGMA user_version = 2;"
    )
    raw.close()
    reopened = await open_sqlite_index(tmp_path / "index.sqlite3")
    try:
        [resolved] = await reopened.flags.flags(is_open=False)
        assert (resolved.subject, resolved.resolved_by) == ("dock-1#2", "liuhen-ingest")
        [still_open] = await reopened.flags.open_flags()
        assert await reopened.flags.resolve_flag(still_open.flag_id, "found", "zhao", NOW)
    finally:
        await reopened.close()


async def test_sqlite_errors_become_storage_failures(index):
    with pytest.raises(StorageFailure, match="FOREIGN KEY constraint failed"):
        await index.uploads.register_manifest(
            dataclasses.replace(manifest(), device_id=DeviceId("unregistered"))
        )
