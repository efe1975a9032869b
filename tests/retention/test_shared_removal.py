"""The local store's removal is judged by every recording that refers to an object: the
same bytes stored twice are one content-addressed file, and it is refused while a hold
stands on either recording, through the real server's retention report
(``RetentionReport.of_object``; docs/retention.md#on-the-local-store)."""

from __future__ import annotations

import json
import os

import pytest

from evidence.errors import UnderLegalHold
from evidence.wire import HOLDS
from storage.local_blobs import LocalBlobStore
from tests.s3.test_s3_shared_locks import stored


async def test_a_shared_file_is_not_removable_while_either_recording_is_held(server):
    custodian = await server.add_user()
    data = os.urandom(2048)
    first = await stored(server, data, None)
    second = await stored(server, data, None)
    sent = json.dumps(
        {"evidence_id": str(second.signed.manifest.evidence_id), "reason": "投诉调查"}
    ).encode()
    reply = await server.send("POST", HOLDS, token=custodian, body=sent)
    assert reply.status == 201, reply.body
    server.clock.advance(400 * 86400)  # both past their six months
    report = server.ctx.services.keeping.report
    (line,) = await report.lines([first.signed.manifest.evidence_id], 10, 0)
    assert line.status.value == "removable"  # the first alone would allow it
    (_, where, locator), *_ = line.facts.objects
    assert where == "local"
    judged = await report.of_object("local", locator)
    assert sorted(str(each.evidence_id) for each in judged.referring) == sorted(
        str(ready.signed.manifest.evidence_id) for ready in (first, second)
    )
    assert judged.holds == (reply.json()["hold_id"],)
    store = server.ctx.store
    assert isinstance(store, LocalBlobStore)
    with pytest.raises(UnderLegalHold) as refused:
        store.remove_expired(locator, keeping=judged, now=server.clock())
    assert refused.value.code == "under_legal_hold"
    assert b"".join(store.read(locator, 4096)) == data
