"""Retention classes and legal holds reach the bucket, through the real server against
moto's S3 server: objects are put locked for the default class (six months), a recording
that carries a case number is then locked a hundred years on (moved later, never
earlier), and a hold on its case turns each object's legal hold ON, its lift OFF."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from evidence.retention_classes import Period
from evidence.wire import HOLD_LIFT, HOLDS
from storage.retention_config import RetentionConfig
from storage.s3_blobs import open_s3_store
from tests.builders import CASE
from tests.compliance.helpers import add_case
from tests.ingest.helpers import created, prepared, upload_all
from tests.s3.test_s3_store import put


def head(moto, bucket, key):
    return moto.client().head_object(Bucket=bucket, Key=key)


def recording_keys(moto, bucket, evidence_id) -> list[str]:
    listed = moto.client().list_objects_v2(Bucket=bucket)["Contents"]
    keys = [item["Key"] for item in listed]
    documents = [k for k in keys if k.startswith(f"evidence/{evidence_id}/")]
    return [k for k in keys if k.startswith("sha256/")] + documents


def test_objects_are_put_locked_for_the_default_class_at_least(moto, bucket, tmp_path):
    store = open_s3_store(tmp_path, moto.config(bucket), RetentionConfig())
    locator = put(store, tmp_path, os.urandom(1024))
    until = head(moto, bucket, locator)["ObjectLockRetainUntilDate"]
    six_months = Period(6, "months").after(datetime.now(UTC))
    assert six_months is not None and abs(until - six_months) < timedelta(minutes=5)


async def test_case_evidence_is_locked_far_and_a_case_hold_sets_legal_holds(
    moto, bucket, s3_server
):
    clerk = await s3_server.add_user()
    ready = await prepared(s3_server, 4096, case_number=CASE)
    await upload_all(s3_server, ready, await created(s3_server, ready))
    evidence_id = ready.signed.manifest.evidence_id
    keys = recording_keys(moto, bucket, evidence_id)
    assert len(keys) >= 5  # the bytes, the manifest and receipt with their signatures
    far = datetime.now(UTC) + timedelta(days=100 * 366)
    for key in keys:
        held = head(moto, bucket, key)
        assert held["ObjectLockMode"] == "COMPLIANCE", key
        assert abs(held["ObjectLockRetainUntilDate"] - far) < timedelta(days=2), key
    await add_case(s3_server, clerk)
    sent = json.dumps({"case_number": CASE, "reason": "行政复议"}).encode()
    reply = await s3_server.send("POST", HOLDS, token=clerk, body=sent)
    assert reply.status == 201, reply.body
    client = moto.client()
    for key in keys:
        assert client.get_object_legal_hold(Bucket=bucket, Key=key)["LegalHold"]["Status"] == "ON"
    lift = HOLD_LIFT.format(hold_id=reply.json()["hold_id"])
    sent = json.dumps({"reason": "复议终结"}).encode()
    assert (await s3_server.send("POST", lift, token=clerk, body=sent)).status == 200
    for key in keys:
        assert client.get_object_legal_hold(Bucket=bucket, Key=key)["LegalHold"]["Status"] == "OFF"
        assert head(moto, bucket, key)["ObjectLockRetainUntilDate"] > far - timedelta(days=2)


async def test_a_recording_without_a_case_keeps_its_put_date_and_nothing_is_removed(
    moto, bucket, s3_server, calls
):
    ready = await prepared(s3_server, 4096, case_number=None)
    await upload_all(s3_server, ready, await created(s3_server, ready))
    keys = recording_keys(moto, bucket, ready.signed.manifest.evidence_id)
    six_months = Period(6, "months").after(datetime.now(UTC))
    assert six_months is not None
    for key in keys:
        until = head(moto, bucket, key)["ObjectLockRetainUntilDate"]
        assert abs(until - six_months) < timedelta(minutes=5), key
    calls.calls.clear()  # applying again changes nothing, and asks for nothing to change
    locks = s3_server.ctx.services.keeping.locks
    assert await locks.apply([ready.signed.manifest.evidence_id]) == 0
    assert "PutObjectRetention" not in calls.calls and "PutObjectLegalHold" not in calls.calls
    assert not calls.removals and not calls.writes_onto_held
