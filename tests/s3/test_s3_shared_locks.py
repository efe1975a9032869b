"""An object shared by two recordings (the same bytes stored twice, one content-addressed
object) is locked by every recording that refers to it, through the real server against
moto's S3 server: its legal hold stays ON while a hold stands on any of them, and its date
is the latest any of them needs (docs/retention.md#on-s3)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from evidence.wire import HOLD_LIFT, HOLDS
from tests.builders import CASE, signed_for
from tests.conftest import Server
from tests.ingest.helpers import Prepared, created, upload_all
from tests.s3.conftest import s3_server_config, serve
from tests.s3.moto import CallLog

FAR = timedelta(days=100 * 366)


@pytest.fixture
async def s3_server(moto, bucket, tmp_path) -> AsyncIterator[Server]:
    """Uploads in the local area, stored by ``put_file``: content-addressed keys, so the
    same bytes twice are one object."""
    config = replace(s3_server_config(tmp_path, moto, bucket), upload_area="local")
    async with AsyncExitStack() as stack:
        yield await serve(config, tmp_path, stack)


async def stored(server: Server, data: bytes, case_number: str | None) -> Prepared:
    """A recording of exactly these bytes, on a new device, uploaded and stored."""
    device = await server.add_device()
    token = await server.token_for(device)
    signed = signed_for(data, device.device_id, device.key, case_number=case_number)
    assert (await server.register(signed, token)).status == 201
    ready = Prepared(device, token, data, signed)
    await upload_all(server, ready, await created(server, ready))
    return ready


def object_key(moto, bucket) -> str:
    listed = moto.client().list_objects_v2(Bucket=bucket)["Contents"]
    keys = [item["Key"] for item in listed if item["Key"].startswith("sha256/")]
    assert len(keys) == 1, keys  # the same bytes twice: one object
    return str(keys[0])


def legal_hold(moto, bucket, key) -> str:
    got = moto.client().get_object_legal_hold(Bucket=bucket, Key=key)["LegalHold"]
    return str(got.get("Status", "OFF"))


async def hold(server: Server, token: str, evidence_id: object) -> int:
    sent = json.dumps({"evidence_id": str(evidence_id), "reason": "投诉调查"}).encode()
    reply = await server.send("POST", HOLDS, token=token, body=sent)
    assert reply.status == 201, reply.body
    return int(reply.json()["hold_id"])


async def lift(server: Server, token: str, hold_id: int) -> None:
    sent = json.dumps({"reason": "调查终结"}).encode()
    reply = await server.send("POST", HOLD_LIFT.format(hold_id=hold_id), token=token, body=sent)
    assert reply.status == 200, reply.body


async def test_a_shared_object_stays_held_while_any_recording_sharing_it_is(
    moto, bucket, s3_server
):
    custodian = await s3_server.add_user()
    data = os.urandom(4096)
    first = await stored(s3_server, data, None)
    second = await stored(s3_server, data, None)
    key = object_key(moto, bucket)
    held_first = await hold(s3_server, custodian, first.signed.manifest.evidence_id)
    held_second = await hold(s3_server, custodian, second.signed.manifest.evidence_id)
    assert legal_hold(moto, bucket, key) == "ON"
    await lift(s3_server, custodian, held_first)
    assert legal_hold(moto, bucket, key) == "ON", "the second recording is still held"
    locks = s3_server.ctx.services.keeping.locks
    await locks.apply([first.signed.manifest.evidence_id])  # applied again: still ON
    assert legal_hold(moto, bucket, key) == "ON"
    await lift(s3_server, custodian, held_second)
    assert legal_hold(moto, bucket, key) == "OFF", "nothing holds either recording now"


async def test_a_shared_object_keeps_the_latest_date_any_recording_needs(moto, bucket, s3_server):
    data = os.urandom(4096)
    await stored(s3_server, data, CASE)  # case evidence: permanent, a far date
    plain = await stored(s3_server, data, None)  # the default class: six months
    key = object_key(moto, bucket)
    far = datetime.now(UTC) + FAR
    head = moto.client().head_object(Bucket=bucket, Key=key)
    assert abs(head["ObjectLockRetainUntilDate"] - far) < timedelta(days=2)
    calls = CallLog(moto.client(), bucket)  # the plain recording applied again: no change
    calls.attach(s3_server.ctx.store.bucket.client)
    locks = s3_server.ctx.services.keeping.locks
    assert await locks.apply([plain.signed.manifest.evidence_id]) == 0
    assert "PutObjectRetention" not in calls.calls and "PutObjectLegalHold" not in calls.calls
    assert not calls.removals and not calls.writes_onto_held
