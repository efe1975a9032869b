"""The upload session (``ingest/uploads/session.py``) driven without a server: headers as
a dict, each PATCH body as an async iterator of plain bytes, over a real SQLite index and
real partial files. Every status, offset and checksum case; the real-server tests
(test_tus_protocol.py) check the same over HTTP."""

import asyncio
import dataclasses
import hashlib

import pytest

from evidence.errors import (
    AlreadyFinalized,
    ChecksumMismatch,
    ChunkMismatch,
    Locked,
    OffsetMismatch,
    TooLarge,
    UnknownUpload,
    UploadExpired,
    UploadRejected,
    UploadTerminated,
    WrongDevice,
)
from evidence.identifiers import DeviceId, Role
from storage.records import UploadState
from tests.ingest.offline import SMALL_CHUNK, Offline, body, patch_headers

S = UploadState


async def opened(offline: Offline, size: int = 3 * SMALL_CHUNK + 100):
    data, signed = await offline.registered(size)
    return data, signed, await offline.created(signed)


async def offset_of(offline: Offline, upload) -> int:
    held = await offline.upload(upload)
    assert held is not None
    return held.offset


async def test_bodies_in_pieces_of_any_size_make_the_whole_upload(offline):
    data, signed, upload = await opened(offline)
    uploads = offline.services.uploads
    at = 0
    for size in (1, SMALL_CHUNK - 1, 2 * SMALL_CHUNK + 50, 50):
        part = data[at : at + size]
        pieces = [part[i : i + 7000] for i in range(0, len(part), 7000)]
        upload = await uploads.append(
            offline.device, upload.upload_id, patch_headers(at, part), body(*pieces)
        )
        at += size
        assert upload.offset == at == await offset_of(offline, upload)
    await offline.services.finalizer.finalize_if_complete(upload)
    stored = await offline.server.index.objects.get(signed.manifest.evidence_id, Role.ORIGINAL)
    assert stored is not None and stored.sha256 == signed.manifest.sha256


async def test_an_empty_body_leaves_the_offset_where_it_was(offline):
    _, _, upload = await opened(offline)
    headers = patch_headers(0)
    after = await offline.services.uploads.append(offline.device, upload.upload_id, headers, body())
    assert after.offset == 0 == await offset_of(offline, upload)


async def test_a_body_at_another_offset_is_refused_and_nothing_is_written(offline):
    data, _, upload = await opened(offline)
    upload = await offline.append(upload, 0, data[:100])
    for wrong in (0, 99, 101):
        with pytest.raises(OffsetMismatch) as refused:
            await offline.append(upload, wrong, data[wrong : wrong + 10])
        assert refused.value.details["offset"] == 100
    assert await offset_of(offline, upload) == 100


async def test_a_body_that_does_not_match_its_checksum_keeps_nothing(offline):
    data, _, upload = await opened(offline)
    headers = patch_headers(0, data[:100], checksum=hashlib.sha256(b"other").digest())
    with pytest.raises(ChecksumMismatch, match="does not match the body"):
        await offline.services.uploads.append(
            offline.device, upload.upload_id, headers, body(data[:100])
        )
    assert await offset_of(offline, upload) == 0
    # and the running hash forgot those bytes: the true ones are taken next
    assert (await offline.append(upload, 0, data[:100])).offset == 100


async def test_a_one_chunk_body_is_checked_against_its_signed_chunk_too(offline):
    _, _, upload = await opened(offline)
    forged = bytes(SMALL_CHUNK)  # its own checksum is right, but it is not the signed chunk
    headers = patch_headers(0, forged)
    with pytest.raises(ChunkMismatch, match="chunk 0 does not match the signed manifest"):
        await offline.services.uploads.append(
            offline.device, upload.upload_id, headers, body(forged)
        )
    assert await offset_of(offline, upload) == 0


async def test_a_body_past_the_upload_length_is_refused(offline):
    data, _, upload = await opened(offline, size=1000)
    headers = patch_headers(0)  # no Content-Length: the body itself runs long
    with pytest.raises(TooLarge, match="passes the upload's length by 1 bytes"):
        await offline.services.uploads.append(
            offline.device, upload.upload_id, headers, body(data, b"x")
        )
    assert await offset_of(offline, upload) == 0
    declared = patch_headers(0, data + b"x")
    with pytest.raises(TooLarge, match="would pass Upload-Length 1000"):
        await offline.services.uploads.append(
            offline.device, upload.upload_id, declared, body(data + b"x")
        )


async def test_a_body_cut_off_keeps_what_arrived_unless_it_was_checksummed(offline):
    data, _, upload = await opened(offline)
    uploads = offline.services.uploads
    summed = patch_headers(0, data)
    with pytest.raises(ChecksumMismatch, match="cut off"):
        await uploads.append(offline.device, upload.upload_id, summed, body(data[:5000], cut=True))
    assert await offset_of(offline, upload) == 0
    plain = {"Content-Type": summed["Content-Type"], "Upload-Offset": "0"}
    kept = await uploads.append(
        offline.device, upload.upload_id, plain, body(data[:5000], cut=True)
    )
    assert kept.offset == 5000 == await offset_of(offline, upload)
    assert (await offline.append(kept, 5000, data[5000:])).offset == len(data)


async def test_a_running_hash_lost_in_a_restart_is_rebuilt_from_the_partial_file(offline):
    data, _, upload = await opened(offline)
    upload = await offline.append(upload, 0, data[: SMALL_CHUNK + 11])
    offline.server.open_uploads.clear()  # what a restart loses
    upload = await offline.append(upload, SMALL_CHUNK + 11, data[SMALL_CHUNK + 11 :])
    await offline.services.finalizer.finalize_if_complete(upload)
    held = await offline.upload(upload)
    assert held is not None and held.state is S.FINALIZED


async def test_a_second_body_while_one_is_being_written_gets_423(offline):
    data, _, upload = await opened(offline)
    uploads = offline.services.uploads
    release = asyncio.Event()
    arrived = asyncio.Event()

    async def slow():
        yield data[:10]
        arrived.set()
        await release.wait()
        yield data[10:20]

    first = asyncio.create_task(
        uploads.append(offline.device, upload.upload_id, patch_headers(0), slow())
    )
    await arrived.wait()
    with pytest.raises(Locked, match="is taking another request"):
        await offline.append(upload, 0, data[:10])
    with pytest.raises(Locked):
        await uploads.terminate(offline.device, upload.upload_id)
    release.set()
    assert (await first).offset == 20


async def test_an_expired_upload_takes_nothing(offline):
    data, _, upload = await opened(offline)
    offline.clock.advance(offline.server.config.upload_expiry_seconds + 1)
    with pytest.raises(UploadExpired):
        await offline.append(upload, 0, data[:10])
    with pytest.raises(UploadExpired):
        await offline.services.uploads.head(offline.device, upload.upload_id)


async def test_a_terminated_upload_is_gone_and_its_partial_file_removed(offline):
    data, _, upload = await opened(offline)
    await offline.services.uploads.terminate(offline.device, upload.upload_id)
    assert not offline.partial(upload).exists()
    with pytest.raises(UploadTerminated):
        await offline.append(upload, 0, data[:10])
    with pytest.raises(UploadTerminated):
        await offline.services.uploads.terminate(offline.device, upload.upload_id)


async def test_a_finalized_upload_takes_nothing_and_cannot_be_terminated(offline):
    data, _, upload = await opened(offline)
    upload = await offline.append(upload, 0, data)
    await offline.services.finalizer.finalize_if_complete(upload)
    with pytest.raises(AlreadyFinalized):
        await offline.append(upload, len(data), b"x")
    with pytest.raises(AlreadyFinalized):
        await offline.services.uploads.terminate(offline.device, upload.upload_id)


async def test_a_rejected_upload_takes_no_more_bytes(offline):
    upload = await offline.rejected()
    with pytest.raises(UploadRejected, match="digest_mismatch"):
        await offline.append(upload, upload.offset, b"x")


async def test_another_devices_upload_and_an_unknown_one_are_refused(offline):
    data, _, upload = await opened(offline)
    other = dataclasses.replace(offline.device, device_id=DeviceId("dock-offline-02"))
    uploads = offline.services.uploads
    with pytest.raises(WrongDevice):
        await uploads.append(other, upload.upload_id, patch_headers(0), body(data[:10]))
    with pytest.raises(UnknownUpload):
        await uploads.append(offline.device, "ff" * 16, patch_headers(0), body(data[:10]))
    with pytest.raises(UnknownUpload):
        await uploads.append(offline.device, "../etc", patch_headers(0), body(data[:10]))
