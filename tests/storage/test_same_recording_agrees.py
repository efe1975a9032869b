"""A manifest registered again is the same recording, a conflict, a reused sequence number
or new exactly as ``ingest/custody/same_recording.py`` says, on random runs of
registrations through the index's public interface (``Uploads.register_manifest``), for
every backend (``backend_index``, tests/storage/conftest.py)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from evidence.digest import Sha256
from evidence.errors import ManifestConflict, SequenceReused
from evidence.identifiers import DeviceId, EvidenceId, Role
from ingest.custody.same_recording import Registration, registration
from storage.interfaces import Index
from storage.records import ManifestRecord
from tests.storage.rules_loading import key_for, register_docks
from tests.storage.rules_world import DOCKS

NOW = datetime(2030, 6, 1, tzinfo=UTC)
EXAMPLES = int(os.environ.get("LIUHEN_RULES_EXAMPLES", "25"))
_runs = iter(range(10**6, 10**7))

# Each registration: which object (of four recordings, two roles), which dock and
# sequence number it claims, and which of two bodies it carries.
registrations = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.sampled_from((Role.ORIGINAL, Role.PROXY)),
        st.sampled_from(DOCKS),
        st.integers(1, 4),
        st.integers(0, 1),
    ),
    min_size=1,
    max_size=12,
)
RAISES = {Registration.CONFLICT: ManifestConflict, Registration.SEQUENCE_REUSED: SequenceReused}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(run=registrations)
async def test_a_manifest_registered_again_is_what_the_rule_says(backend_index: Index, run):
    docks = await register_docks(backend_index, next(_runs), NOW)
    recordings = [str(uuid.uuid4()) for _ in range(4)]
    held: dict[tuple[str, str], str] = {}
    places: dict[tuple[str, int], tuple[str, str]] = {}
    for which, role, dock, sequence, variant in run:
        obj, device = (recordings[which], role.value), docks[dock]
        body = f"{obj}/{variant}".encode()
        record = ManifestRecord(
            EvidenceId(obj[0]), role, DeviceId(device), key_for(device), sequence, None,
            Sha256.of(body), body, b"s", None, NOW,
        )  # fmt: skip
        expected = registration(held, places, obj, record.manifest_sha256.hex, (device, sequence))
        event(expected.value)
        if expected in RAISES:
            with pytest.raises(RAISES[expected]):
                await backend_index.uploads.register_manifest(record)
            continue
        kept, new = await backend_index.uploads.register_manifest(record)
        assert new is (expected is Registration.NEW)
        assert kept.manifest_sha256 == record.manifest_sha256
        if new:
            held[obj], places[(device, sequence)] = record.manifest_sha256.hex, obj
