"""The manifest ranges are an admission rule: what the server accepted before a range
existed stays readable, verifiable, uploadable and registrable. The old probe signed the
container's claimed length unbounded, so broken footage could claim 400 days; such a
manifest is registered here with the range widened (as the server of that time did), and
the range is then put back. Real server on loopback."""

import dataclasses

import pytest

import evidence.manifest_media
from evidence.footage_span import measured_ms
from evidence.identifiers import Role
from evidence.manifest_media import MAX_DURATION_MS
from evidence.wire import RECORDING_VERIFY
from tests.builders import media_lasting
from tests.ingest.helpers import created, prepared, upload_all
from tests.ingest.test_finalize import finalize_path

FOUR_HUNDRED_DAYS_MS = 400 * 86_400_000
OLD_CLAIM = dataclasses.replace(media_lasting(647), duration_ms=FOUR_HUNDRED_DAYS_MS)


async def registered_before_the_ranges(server, monkeypatch):
    with monkeypatch.context() as before:
        before.setattr(evidence.manifest_media, "MAX_DURATION_MS", 2**62)
        return await prepared(server, media=OLD_CLAIM)


async def test_a_stored_original_from_before_the_ranges_verifies_and_covers_nothing(
    server, monkeypatch
):
    with monkeypatch.context() as before:  # stored whole by the server of that time
        before.setattr(evidence.manifest_media, "MAX_DURATION_MS", 2**62)
        ready = await prepared(server, media=OLD_CLAIM)
        await upload_all(server, ready, await created(server, ready))
    token = await server.add_user()
    path = RECORDING_VERIFY.format(evidence_id=ready.signed.manifest.evidence_id)
    reply = await server.send("POST", path, token=token)
    assert reply.status == 200, reply.body
    assert reply.json()["ok"] is True
    again = await server.send("POST", finalize_path(ready.signed), token=ready.token)
    assert again.status == 200, again.body
    [flag] = await server.ctx.index.flags.open_flags("unmeasured_footage")
    assert flag.evidence_id == ready.signed.manifest.evidence_id
    stored = await server.ctx.index.objects.get(ready.signed.manifest.evidence_id, Role.ORIGINAL)
    assert stored is not None and stored.ended_at is None  # 400 days of it cover nothing


async def test_a_manifest_registered_before_the_ranges_can_still_be_uploaded(server, monkeypatch):
    ready = await registered_before_the_ranges(server, monkeypatch)
    again = await server.register(ready.signed, ready.token)  # the agent sends it again
    assert (again.status, again.json()["manifest_sha256"]) == (200, ready.signed.sha256.hex)
    await upload_all(server, ready, await created(server, ready))
    receipt = await server.send("POST", finalize_path(ready.signed), token=ready.token)
    assert receipt.status == 200, receipt.body


async def test_a_new_manifest_out_of_range_is_still_refused(server):
    with pytest.raises(AssertionError, match="bad_manifest"):
        await prepared(server, media=OLD_CLAIM)


def test_a_length_over_a_year_is_not_measured():
    over = dataclasses.replace(OLD_CLAIM, duration_ms=MAX_DURATION_MS + 1)
    assert measured_ms(over) is None
    assert measured_ms(dataclasses.replace(OLD_CLAIM, duration_ms=MAX_DURATION_MS)) is not None
