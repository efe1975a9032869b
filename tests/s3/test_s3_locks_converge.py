"""The bucket's locks converge on the index when S3 was away: a recording stored and a
hold set while S3 could not take their locks are kept in the index, the hold's answer says
the bucket follows (503 ``store_lock_pending``), and once S3 is back the server's periodic
sweep (or its next start) applies them, read back from moto's S3 server with head_object
and get_object_legal_hold (docs/retention.md#on-s3)."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from evidence.retention_classes import Period
from evidence.wire import HOLDS
from storage.s3_blobs import S3BlobStore
from tests.builders import CASE
from tests.compliance.helpers import add_case
from tests.conftest import Server
from tests.ingest.helpers import created, prepared, upload_all
from tests.s3.conftest import s3_server_config, serve
from tests.s3.moto import CallLog
from tests.s3.test_s3_retention import recording_keys

FAR = timedelta(days=100 * 366)


def config_for(tmp_path, moto, bucket):
    """Uploads in the local area, stored with ``put_file``: put locked for the default
    class, so a case recording's PutObjectRetention is the one that makes it permanent."""
    return replace(s3_server_config(tmp_path, moto, bucket), upload_area="local")


def s3_goes_away_at(server: Server, moto, operation: str) -> list[str]:
    """Stop moto as the server is about to call ``operation`` the first time."""
    gone: list[str] = []

    def outage(**_: object) -> None:
        if not gone:
            gone.append(operation)
            moto.stop()

    store = server.ctx.store
    assert isinstance(store, S3BlobStore)
    store.bucket.client.meta.events.register(f"before-call.s3.{operation}", outage)
    return gone


async def held_while_s3_is_away(server: Server, moto) -> tuple[list[str], int]:
    """A case recording stored as S3 goes away before its date could move, then a hold
    on its case set while S3 is still away; the recording's keys and the hold's id."""
    custodian = await server.add_user()
    await add_case(server, custodian)
    gone = s3_goes_away_at(server, moto, "PutObjectRetention")
    ready = await prepared(server, 4096, case_number=CASE)
    await upload_all(server, ready, await created(server, ready))
    assert gone, "S3 went away before the recording's date moved"
    sent = json.dumps({"case_number": CASE, "reason": "行政复议"}).encode()
    reply = await server.send("POST", HOLDS, token=custodian, body=sent)
    assert reply.status == 503 and reply.code == "store_lock_pending", reply.body
    assert "follows when S3 is back" in reply.json()["error"]["message"]
    hold_id = reply.json()["error"]["details"]["hold_id"]
    standing = await server.ctx.index.holds.find(CASE, None, True, 10, 0)
    assert [hold.hold_id for hold in standing] == [hold_id], "the hold is kept"
    moto.start()
    keys = recording_keys(moto, moto.bucket_name, ready.signed.manifest.evidence_id)
    return keys, hold_id


def assert_locked(moto, bucket: str, keys: list[str]) -> None:
    client, far = moto.client(), datetime.now(UTC) + FAR
    for key in keys:
        assert client.get_object_legal_hold(Bucket=bucket, Key=key)["LegalHold"]["Status"] == "ON"
        until = client.head_object(Bucket=bucket, Key=key)["ObjectLockRetainUntilDate"]
        assert abs(until - far) < timedelta(days=2), key


async def test_the_sweep_applies_the_locks_s3_missed_once_it_is_back(own_moto, tmp_path):
    bucket = own_moto.bucket()
    own_moto.bucket_name = bucket
    async with AsyncExitStack() as stack:
        server = await serve(config_for(tmp_path, own_moto, bucket), tmp_path, stack)
        keys, _ = await held_while_s3_is_away(server, own_moto)
        client = own_moto.client()
        six_months = Period(6, "months").after(datetime.now(UTC))
        assert six_months is not None
        for key in keys:  # S3 is back, and nothing has been applied yet
            until = client.head_object(Bucket=bucket, Key=key)["ObjectLockRetainUntilDate"]
            assert abs(until - six_months) < timedelta(minutes=5), key
            hold = client.get_object_legal_hold(Bucket=bucket, Key=key)["LegalHold"]
            assert hold.get("Status", "OFF") == "OFF", key
        await server.ctx.services.sweeper.sweep_all()
        assert_locked(own_moto, bucket, keys)
        assert await server.ctx.index.holds.locks_to_apply(10) == []
        calls = CallLog(client, bucket)  # a second sweep: nothing left, nothing asked
        store = server.ctx.store
        assert isinstance(store, S3BlobStore)
        calls.attach(store.bucket.client)
        await server.ctx.services.sweeper.sweep_all()
        assert "PutObjectRetention" not in calls.calls and "PutObjectLegalHold" not in calls.calls
        assert not calls.removals and not calls.writes_onto_held


async def test_the_server_applies_the_locks_s3_missed_as_it_starts(own_moto, tmp_path):
    bucket = own_moto.bucket()
    own_moto.bucket_name = bucket
    config = config_for(tmp_path, own_moto, bucket)
    async with AsyncExitStack() as stack:
        server = await serve(config, tmp_path, stack)
        keys, _ = await held_while_s3_is_away(server, own_moto)
        own_moto.stop()  # away again until the server has stopped
    own_moto.start()
    async with AsyncExitStack() as stack:
        server = await serve(config, tmp_path, stack)
        assert_locked(own_moto, bucket, keys)
        assert await server.ctx.index.holds.locks_to_apply(10) == []
