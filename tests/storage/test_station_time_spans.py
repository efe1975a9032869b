"""Spans in station time: an original whose dock measured its camera's clock gets a span
corrected by that offset, with the raw span kept beside it; the signed times in objects
stay as the camera had them. An index whose spans predate the correction is rebuilt at
open (storage/sqlite/migrations.py, ``_spans_in_station_time``)."""

import sqlite3
from datetime import timedelta

import pytest

from evidence.manifest_dock import CameraClock
from storage.sqlite import migrations, open_sqlite_index
from storage.sqlite.migrations import STEPS
from storage.sqlite.rows import when
from tests.builders import STARTED_AT, signed_for
from tests.storage.test_span_migration import DEVICE, KEY, index_as_finalize_did, ms, register

OFFSET = 180_250  # the camera runs three minutes and a quarter second ahead
MEASURED = CameraClock(OFFSET, STARTED_AT + timedelta(hours=1), "sidecar_clock")


def spans(raw):
    return raw.execute(
        "SELECT start_ms, end_ms, raw_start_ms, raw_end_ms, clock_offset_ms FROM recording_spans "
        "ORDER BY start_ms"
    ).fetchall()


@pytest.fixture
async def either(tmp_path, open_index_at, raw_sql_at):
    """A new index on either database, its signing device registered (PostgreSQL checks
    the manifests' foreign keys, even for rows written outside Liuhen)."""
    path = tmp_path / "index.sqlite3"
    index = await open_index_at(path)
    await index.devices.add(DEVICE, None, "k", bytes(32), STARTED_AT)
    yield raw_sql_at(path)
    await index.close()


@pytest.fixture
async def fresh(tmp_path):
    path = tmp_path / "index.sqlite3"
    index = await open_sqlite_index(path)
    raw = sqlite3.connect(path, isolation_level=None)
    yield index, raw, path
    raw.close()
    await index.close()


def keep(raw, signed, sequence):
    register(raw, signed, sequence)
    index_as_finalize_did(raw, signed, signed.manifest.capture_end())


async def test_a_span_is_corrected_by_the_measured_offset_and_the_raw_one_kept(either):
    raw = either
    keep(raw, signed_for(b"fast", str(DEVICE), KEY, clock=MEASURED), 1)
    keep(raw, signed_for(b"plain", str(DEVICE), KEY, sequence=2), 2)
    start = ms(STARTED_AT)
    length = 647_000  # the builders' clip: 09:30:15 to 09:41:02
    assert [tuple(row) for row in spans(raw)] == [
        (start - OFFSET, start + length - OFFSET, start, start + length, OFFSET),
        (start, start + length, start, start + length, 0),
    ]
    [signed_start] = {row[0] for row in raw.execute("SELECT started_at FROM objects")}
    assert signed_start == when(STARTED_AT), "objects keep the times as signed"


async def test_spans_from_before_the_correction_are_rebuilt_at_open(fresh):
    index, raw, path = fresh
    await index.close()
    raw.executescript(
        "DROP TRIGGER recording_span_of_original; DROP TABLE recording_spans;"
        "CREATE TABLE recording_spans (evidence_id TEXT PRIMARY KEY, case_number TEXT, "
        "start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL) WITHOUT ROWID;"
        "CREATE TRIGGER recording_span_of_original AFTER INSERT ON objects "
        "WHEN NEW.role = 'original' BEGIN INSERT INTO recording_spans VALUES (NEW.evidence_id, "
        "NEW.case_number, 0, 0); END;"
    )
    raw.execute(f"PRAGMA user_version = {STEPS.index(migrations._spans_in_station_time)}")
    keep(raw, signed_for(b"fast", str(DEVICE), KEY, clock=MEASURED), 1)
    reopened = await open_sqlite_index(path)
    try:
        start, end = ms(STARTED_AT), ms(STARTED_AT) + 647_000
        assert spans(raw) == [(start - OFFSET, end - OFFSET, start, end, OFFSET)]
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(STEPS)
        with pytest.raises(sqlite3.IntegrityError, match="follow"):
            raw.execute("UPDATE recording_spans SET start_ms = 0")
    finally:
        await reopened.close()
