"""The manifest's dock sections (clock, camera): optional, omitted when they say nothing,
strict when present, and pinned by a golden file of their own."""

import copy
import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from evidence.errors import MalformedManifest
from evidence.identifiers import Role
from evidence.manifest import Manifest, SignedManifest
from evidence.manifest_dock import CameraClaims, CameraClock, ClaimedDigest
from evidence.strict_json import canonical_bytes
from tests.builders import STARTED_AT, signed_for
from tests.kernel.test_manifest import (
    GOLDEN,
    GOLDEN_DATA,
    GOLDEN_ID,
    GOLDEN_KEY,
    GOLDEN_MEDIA,
    RULE,
    golden_manifest,
)

GOLDEN_CLOCK = CameraClock(180_250, datetime(2026, 3, 12, 2, 5, 0, tzinfo=UTC), "sidecar_clock")
GOLDEN_CAMERA = CameraClaims(
    bay="bay-1",
    sidecar="xml",
    sidecar_problem=None,
    important=True,
    digest=ClaimedDigest("md5", "9e107d9d372bb6826bd81d3542a419d6", matches=True),
)


def golden_dock_manifest() -> SignedManifest:
    return signed_for(
        GOLDEN_DATA,
        "dock-sjz-01",
        GOLDEN_KEY,
        evidence_id=GOLDEN_ID,
        chunk_size=65536,
        media=GOLDEN_MEDIA,
        clock=GOLDEN_CLOCK,
        camera=GOLDEN_CAMERA,
    )


def test_golden_dock_manifest_bytes_and_signature_do_not_drift():
    """Regenerate on purpose with LIUHEN_REGENERATE_GOLDEN=1, and say why in the commit."""
    signed = golden_dock_manifest()
    if os.environ.get("LIUHEN_REGENERATE_GOLDEN") == "1":
        (GOLDEN / "manifest-v1-dock.json").write_bytes(signed.body)
        (GOLDEN / "manifest-v1-dock.sig").write_bytes(signed.signature)
    assert (GOLDEN / "manifest-v1-dock.json").read_bytes() == signed.body
    assert (GOLDEN / "manifest-v1-dock.sig").read_bytes() == signed.signature
    assert Manifest.parse(signed.body, RULE) == signed.manifest
    signed.verify(GOLDEN_KEY.public_key())


def test_a_manifest_without_dock_facts_keeps_its_old_bytes():
    """What an older server accepts: no clock or camera key at all, not even null."""
    body = golden_manifest().body
    assert b'"clock"' not in body and b'"camera"' not in body
    assert body == (GOLDEN / "manifest-v1.json").read_bytes()


def dock_document() -> dict:
    return json.loads(golden_dock_manifest().body)


def changed(change) -> bytes:
    doc = copy.deepcopy(dock_document())
    change(doc)
    return canonical_bytes(doc)


def test_null_sections_read_as_absent():
    body = changed(lambda d: d.update(clock=None, camera=None))
    parsed = Manifest.parse(body, RULE)
    assert parsed.clock is None and parsed.camera is None


def test_the_correction_takes_the_offset_off_a_camera_time():
    assert GOLDEN_CLOCK.station_time(STARTED_AT) == STARTED_AT - timedelta(milliseconds=180_250)


BAD = {
    "unknown clock method": lambda d: d["clock"].update(method="ntp"),
    "offset past a century": lambda d: d["clock"].update(camera_offset_ms=10**13),
    "offset as text": lambda d: d["clock"].update(camera_offset_ms="180000"),
    "naive measured_at": lambda d: d["clock"].update(measured_at="2026-03-12T02:05:00"),
    "unknown clock field": lambda d: d["clock"].update(station="dock"),
    "missing method": lambda d: d["clock"].pop("method"),
    "unknown sidecar shape": lambda d: d["camera"].update(sidecar="yaml"),
    "problem without a sidecar": lambda d: d["camera"].update(sidecar=None, sidecar_problem="x"),
    "bay as a path": lambda d: d["camera"].update(bay="../bay-1"),
    "md5 of the wrong length": lambda d: d["camera"]["claimed_digest"].update(value="ab" * 20),
    "uppercase digest": lambda d: d["camera"]["claimed_digest"].update(value="9E" * 16),
    "crc32": lambda d: d["camera"]["claimed_digest"].update(algorithm="crc32"),
    "matches missing": lambda d: d["camera"]["claimed_digest"].pop("matches"),
    "important as 1": lambda d: d["camera"].update(important=1),
    "camera claims on a proxy": lambda d: d.update(
        role="proxy",
        derived_from={"evidence_id": str(GOLDEN_ID), "role": "original", "sha256": "0" * 64},
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_dock_sections_are_refused_naming_the_field(name):
    with pytest.raises(MalformedManifest) as caught:
        Manifest.parse(changed(BAD[name]), RULE)
    assert caught.value.code == "bad_manifest"
    assert "clock" in caught.value.message or "camera" in caught.value.message


def test_a_review_copy_keeps_the_clock_but_not_the_claims():
    body = changed(
        lambda d: (
            d.update(
                role="proxy",
                derived_from={
                    "evidence_id": str(GOLDEN_ID),
                    "role": "original",
                    "sha256": "0" * 64,
                },
            ),
            d.pop("camera"),
        )
    )
    parsed = Manifest.parse(body, RULE)
    assert parsed.role is Role.PROXY and parsed.clock == GOLDEN_CLOCK


def test_claims_that_say_nothing_beyond_the_shape_are_left_out():
    assert not CameraClaims(sidecar="json").says_anything()
    assert CameraClaims(sidecar="json", important=True).says_anything()
    assert CameraClaims(bay="bay-2").says_anything()
