"""The server's upload state machine, edge by edge, without a server: the table itself,
and every change made through ``Transitions`` on a real SQLite index (compare-and-set:
a change from a state the upload is no longer in writes nothing)."""

import dataclasses
import itertools
import os

import pytest

from evidence.errors import Conflict, StorageFailure
from evidence.identifiers import Role
from evidence.manifest import SignedManifest
from evidence.tus_wire import TUS_VERSION
from evidence.wire import FINALIZE
from ingest.uploads.states import TERMINAL, allowed, check_transition
from storage.records import StoredObject, UploadState
from tests.builders import manifest_for
from tests.ingest.helpers import SMALL_CHUNK, Prepared, created, upload_all
from tests.ingest.offline import LYING_ABOUT_ITS_HASH

S = UploadState

# The table as docs/architecture.md draws it, written out here on purpose: a test that
# read it from the module would agree with any mistake in it.
EDGES = {
    (S.OPEN, S.FINALIZED),
    (S.OPEN, S.REJECTED),
    (S.OPEN, S.TERMINATED),
    (S.OPEN, S.EXPIRED),
    (S.REJECTED, S.TERMINATED),
    (S.REJECTED, S.EXPIRED),
}
REFUSED = sorted(set(itertools.product(S, S)) - EDGES)


@pytest.mark.parametrize(("current", "target"), sorted(EDGES))
def test_each_edge_of_the_table_is_allowed(current, target):
    assert allowed(current, target)
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_every_other_change_is_refused(current, target):
    assert not allowed(current, target)
    with pytest.raises(
        Conflict, match=f"^an upload may not go from {current.value} to {target.value}$"
    ):
        check_transition(current, target)


def test_the_ends_are_finalized_terminated_and_expired():
    assert {S.FINALIZED, S.TERMINATED, S.EXPIRED} == TERMINAL
    assert all(not allowed(end, target) for end in TERMINAL for target in S)


async def test_a_change_from_a_state_the_upload_has_left_writes_nothing(offline):
    _, signed = await offline.registered()
    upload = await offline.created(signed)
    uploads = offline.server.index.uploads
    assert await uploads.set_state(upload.upload_id, expected=S.OPEN, state=S.EXPIRED)
    assert not await uploads.set_state(upload.upload_id, expected=S.OPEN, state=S.TERMINATED)
    # Through Transitions, from the record read before: nothing moves, and the partial file
    # is left to whoever made the change that did happen.
    assert await offline.services.uploads.transitions.end(upload, S.TERMINATED) is False
    held = await offline.upload(upload)
    assert held is not None and held.state is S.EXPIRED
    assert offline.partial(upload).exists()


async def test_a_rejected_upload_keeps_why_when_it_ends(offline):
    for end in (S.EXPIRED, S.TERMINATED):
        upload = await offline.rejected()
        assert await offline.services.uploads.transitions.end(upload, end) is True
        held = await offline.upload(upload)
        assert held is not None and (held.state, held.error_code) == (end, "digest_mismatch")
        assert held.error_message == upload.error_message
        assert not offline.partial(upload).exists()


async def test_a_refused_change_touches_neither_the_index_nor_the_disk(offline):
    data, signed = await offline.registered()
    upload = await offline.append(await offline.created(signed), 0, data)
    await offline.services.finalizer.finalize_if_complete(upload)
    finalized = await offline.upload(upload)
    assert finalized is not None and finalized.state is S.FINALIZED
    with pytest.raises(Conflict, match="from finalized to terminated"):
        await offline.services.uploads.transitions.end(finalized, S.TERMINATED)
    held = await offline.upload(upload)
    assert held is not None and held.state is S.FINALIZED
    stored = await offline.server.index.objects.get(signed.manifest.evidence_id, Role.ORIGINAL)
    assert stored is not None


async def test_finalize_indexes_nothing_for_an_upload_no_longer_open(offline):
    data, signed = await offline.registered()
    upload = await offline.append(await offline.created(signed), 0, data)
    uploads = offline.server.index.uploads
    assert await uploads.set_state(upload.upload_id, expected=S.OPEN, state=S.EXPIRED)
    with pytest.raises(StorageFailure, match="not open"):
        await offline.services.uploads.transitions.finalized(
            upload, stored_object(signed), (), ingest_leaf(signed)
        )
    assert (
        await offline.server.index.objects.get(signed.manifest.evidence_id, Role.ORIGINAL) is None
    )
    assert await offline.server.index.log.size() == 0, "nothing indexed, nothing logged"


def ingest_leaf(signed: SignedManifest) -> bytes:
    from evidence.tlog.leaf_events import IngestLeaf
    from evidence.tlog.leaves import leaf_bytes

    manifest = signed.manifest
    return leaf_bytes(
        IngestLeaf(
            manifest.evidence_id,
            manifest.role,
            manifest.device_id,
            manifest.sha256,
            signed.sha256,
            signed.sha256,
            manifest.capture.started_at,
        )
    )


def stored_object(signed: SignedManifest) -> StoredObject:
    manifest = signed.manifest
    return StoredObject(
        evidence_id=manifest.evidence_id,
        role=manifest.role,
        device_id=manifest.device_id,
        sequence=manifest.sequence,
        manifest_sha256=signed.sha256,
        sha256=manifest.sha256,
        size=manifest.size,
        chunk_root=manifest.root,
        store="local",
        locator="ab/cd/" + manifest.sha256.hex,
        case_number=manifest.case_number,
        started_at=manifest.capture.started_at,
        ended_at=None,
        place=None,
        officer_id=None,
        file_name=manifest.file_name,
        received_at=manifest.capture.started_at,
        receipt_body=b"{}",
        receipt_signature=bytes(64),
    )


@pytest.mark.parametrize("end", ["terminated", "expired"])
async def test_a_rejected_upload_that_ends_still_answers_finalize_with_its_rejection(server, end):
    """Found in review: the sweeper expired rejected uploads and wiped their error, so
    finalize answered 410 (gone: start again) instead of repeating the rejection."""
    device = await server.add_device()
    token = await server.token_for(device)
    data = os.urandom(3 * SMALL_CHUNK)
    honest = manifest_for(data, device.device_id, device.key, chunk_size=SMALL_CHUNK)
    lying = SignedManifest.create(dataclasses.replace(honest, **LYING_ABOUT_ITS_HASH), device.key)
    assert (await server.register(lying, token)).status == 201
    ready = Prepared(device, token, data, lying)
    url = await created(server, ready)
    await upload_all(server, ready, url)
    path = FINALIZE.format(evidence_id=honest.evidence_id, role=honest.role.value)
    assert (await server.send("POST", path, token=token)).code == "digest_mismatch"
    if end == "terminated":
        headers = {"Tus-Resumable": TUS_VERSION}
        assert (await server.send("DELETE", url, token=token, headers=headers)).status == 204
    else:
        server.clock.advance(server.ctx.config.upload_expiry_seconds + 1)
        assert await server.ctx.services.sweeper.sweep() == 1
        token = await server.token_for(device)
    again = await server.send("POST", path, token=token)
    assert (again.status, again.code) == (422, "digest_mismatch")
