"""An index made while coverage came from claims is migrated at open: each object's end, and
each room segment's, is recomputed from its manifest's signed bytes (the probed length), the
claims are kept beside them, the spans are rebuilt from the footage, and the append-only
triggers are back."""

import dataclasses
import json
import sqlite3
from datetime import timedelta

import pytest

from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.keys import Ed25519PrivateKey
from storage.sqlite import migrations, open_sqlite_index
from storage.sqlite.migrations import STEPS
from storage.sqlite.rows import when
from tests.builders import ENDED_AT, STARTED_AT, manifest_for, media_lasting, signed_for

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
DEVICE = DeviceId("dock-1")
CLAIMED_END = STARTED_AT + timedelta(seconds=300)
TAG = "2026-03-12T01:30:15.000000Z"  # the builders' start, in UTC


def ms(moment):
    return round(moment.timestamp() * 1000)


def register(raw, signed, sequence):
    manifest = signed.manifest
    raw.execute(
        "INSERT INTO manifests (evidence_id, role, device_id, key_id, sequence, manifest_sha256, "
        "body, signature, registered_at) VALUES (?, ?, ?, 'k', ?, ?, ?, ?, ?)",
        (
            str(manifest.evidence_id),
            manifest.role.value,
            str(DEVICE),
            sequence,
            signed.sha256.hex,
            signed.body,
            signed.signature,
            when(STARTED_AT),
        ),
    )


def index_as_finalize_did(raw, signed, claimed_end):
    """The object row as finalize wrote it before: the device's claimed end as its end."""
    manifest = signed.manifest
    raw.execute(
        "INSERT INTO objects (evidence_id, role, device_id, sequence, manifest_sha256, sha256, "
        "size, chunk_root, store, locator, case_number, started_at, ended_at, place, "
        "officer_id, file_name, received_at, receipt_body, receipt_signature) VALUES "
        "(?, ?, ?, 1, ?, ?, 1, ?, 'local', 'x', ?, ?, ?, NULL, NULL, 'a.mp4', ?, ?, ?)",
        (
            str(manifest.evidence_id),
            manifest.role.value,
            str(DEVICE),
            signed.sha256.hex,
            "b" * 64,
            "c" * 64,
            str(manifest.case_number),
            when(manifest.capture.started_at),
            when(claimed_end),
            when(ENDED_AT),
            b"\x00",
            b"\x00",
        ),
    )


@pytest.fixture
async def old_index(tmp_path):
    """An index at the step before this one, holding a three-second clip that claims five
    minutes, its review copy, footage that was never measured, and a room segment."""
    path = tmp_path / "index.sqlite3"
    await (await open_sqlite_index(path)).close()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.executescript(
        "ALTER TABLE objects DROP COLUMN claimed_started_at;"
        "ALTER TABLE objects DROP COLUMN claimed_ended_at;"
        f"PRAGMA user_version = {STEPS.index(migrations._spans_from_the_footage)};"
    )
    media = dataclasses.replace(media_lasting(3.0), creation_time=TAG)
    clip = signed_for(b"clip", str(DEVICE), KEY, capture=capture(CLAIMED_END), media=media)
    copy = signed_for(
        b"copy",
        str(DEVICE),
        KEY,
        evidence_id=clip.manifest.evidence_id,
        role=Role.PROXY,
        sequence=2,
        previous=clip.sha256,
        capture=capture(CLAIMED_END),
        media=media_lasting(3.04),
    )
    broken = signed_for(b"", str(DEVICE), KEY, capture=capture(CLAIMED_END), media=None)
    for sequence, signed in enumerate((clip, copy, broken), start=1):
        register(raw, signed, sequence)
        index_as_finalize_did(raw, signed, CLAIMED_END)
    raw.execute(
        "INSERT INTO segments VALUES (?, 'room1', 1, ?, ?, ?, ?)",
        (
            str(clip.manifest.evidence_id),
            str(DEVICE),
            when(STARTED_AT),
            when(CLAIMED_END),
            when(STARTED_AT),
        ),
    )
    yield raw, path, clip.manifest.evidence_id, broken.manifest.evidence_id
    raw.close()


def capture(claimed_end):
    return dataclasses.replace(manifest_for(b"", str(DEVICE), KEY).capture, ended_at=claimed_end)


def row(raw, evidence_id, role="original"):
    return raw.execute(
        "SELECT ended_at, claimed_started_at, claimed_ended_at FROM objects "
        "WHERE evidence_id = ? AND role = ?",
        (str(evidence_id), role),
    ).fetchone()


async def test_ends_come_from_the_signed_probed_length_and_claims_are_kept(old_index):
    raw, path, clip, broken = old_index
    assert raw.execute("SELECT end_ms FROM recording_spans ORDER BY end_ms").fetchall() == [
        (ms(CLAIMED_END),),
        (ms(CLAIMED_END),),
    ], "before: the spans were the claims"
    reopened = await open_sqlite_index(path)
    try:
        measured = STARTED_AT + timedelta(seconds=3)
        assert row(raw, clip) == (when(measured), TAG, when(CLAIMED_END))
        assert row(raw, clip, "proxy") == (  # a review copy: its own length, no tag
            when(STARTED_AT + timedelta(seconds=3.04)),
            None,
            when(CLAIMED_END),
        )
        assert row(raw, broken) == (None, None, when(CLAIMED_END))
        spans = dict(raw.execute("SELECT evidence_id, end_ms - start_ms FROM recording_spans"))
        assert spans == {str(clip): 3000, str(broken): 0}, "a point: it covers nothing"
        [segment] = raw.execute("SELECT ended_at FROM segments").fetchall()
        assert segment == (when(measured),)
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(STEPS)
        stored = await reopened.objects.get(EvidenceId(str(clip)), Role.ORIGINAL)
        assert stored is not None and stored.claimed_ended_at == CLAIMED_END
        for statement in (
            "UPDATE objects SET ended_at = NULL",
            "UPDATE segments SET ended_at = NULL",
            "DELETE FROM recording_spans",
        ):
            with pytest.raises(sqlite3.IntegrityError, match=r"append-only|follow"):
                raw.execute(statement)
    finally:
        await reopened.close()


async def test_a_manifest_accepted_before_the_ranges_is_migrated_not_left_claiming(old_index):
    """The old probe signed a broken file's header length unbounded: 400 days, over the
    range a manifest arriving now must meet. It was accepted, so it is read as it was
    then; over a year is not a measured length, so it covers nothing."""
    raw, path, _, _ = old_index
    media = dataclasses.replace(media_lasting(3.0), duration_ms=400 * 86_400_000)
    old = signed_for(b"old", str(DEVICE), KEY, capture=capture(CLAIMED_END), media=media)
    register(raw, old, 4)
    index_as_finalize_did(raw, old, CLAIMED_END)
    reopened = await open_sqlite_index(path)
    try:
        assert row(raw, old.manifest.evidence_id) == (None, None, when(CLAIMED_END))
        unmeasured = {about: detail for kind, about, detail in open_flags(raw)}
        assert unmeasured[str(old.manifest.evidence_id)]["problem"] == "no usable length"
    finally:
        await reopened.close()


def open_flags(raw):
    return sorted(
        (kind, evidence_id, json.loads(detail))
        for kind, evidence_id, detail in raw.execute(
            "SELECT kind, evidence_id, detail FROM flags WHERE resolved_at IS NULL"
        )
    )


async def test_the_upgrade_raises_the_flags_finalize_raises_now(old_index):
    """An act covered by a claim turns partial: the flag says why, as finalize would."""
    raw, path, clip, broken = old_index
    assert open_flags(raw) == []
    await (await open_sqlite_index(path)).close()
    [(kind, about, mismatch), (other, unmeasured_id, unmeasured)] = open_flags(raw)
    assert (kind, about, other, unmeasured_id) == (
        "claim_mismatch",
        str(clip),
        "unmeasured_footage",
        str(broken),
    )
    assert mismatch["disagree"] == ["ended_at", "seconds"]
    assert (mismatch["measured"]["seconds"], mismatch["claimed"]["seconds"]) == (3.0, 300.0)
    assert mismatch["claim_tolerance_seconds"] == 2.0
    assert unmeasured["problem"] == "no media section"
    await (await open_sqlite_index(path)).close()
    assert len(open_flags(raw)) == 2, "once"


async def test_the_upgrade_compares_claims_with_the_configured_tolerance(old_index):
    raw, path, _, broken = old_index
    await (await open_sqlite_index(path, claim_tolerance_seconds=600)).close()
    assert [(kind, about) for kind, about, _ in open_flags(raw)] == [
        ("unmeasured_footage", str(broken))
    ]


async def test_only_the_sections_a_span_needs_are_read_from_a_manifest(old_index, monkeypatch):
    """A review copy's manifest may hold a day of fingerprints: the upgrade reads its
    capture, media and file sections (cut out by SQLite), never the whole body."""
    raw, path, clip, _ = old_index
    read = []
    real = migrations.findings_of_body

    def spy(body, tolerance):
        read.append(json.loads(body))
        return real(body, tolerance)

    monkeypatch.setattr(migrations, "findings_of_body", spy)
    await (await open_sqlite_index(path)).close()
    assert len(read) == 3  # the clip, its review copy, the broken file
    assert all(set(document) == {"capture", "media", "file"} for document in read)
    assert row(raw, clip)[0] == when(STARTED_AT + timedelta(seconds=3))
