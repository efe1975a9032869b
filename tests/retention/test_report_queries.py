"""The retention report reads the holds of a page of recordings in one query, however many
recordings the page has (it was one query per recording): counted on the real server's
SQLite index with sqlite3's trace callback, after holds on a recording and on a case."""

from __future__ import annotations

import json
import sqlite3

from evidence.wire import HOLDS
from storage.sqlite.keeping import keeping
from tests.builders import CASE
from tests.compliance.helpers import add_case
from tests.ingest.helpers import created, prepared, upload_all


async def test_a_page_of_recordings_reads_its_holds_in_one_query(server):
    custodian = await server.add_user()
    await add_case(server, custodian)
    stored = []
    for case_number in (CASE, None, None, CASE, None):
        ready = await prepared(server, 2048, case_number=case_number)
        await upload_all(server, ready, await created(server, ready))
        stored.append(str(ready.signed.manifest.evidence_id))
    hold_ids = []
    for target in ({"case_number": CASE}, {"evidence_id": stored[1]}):
        sent = json.dumps({**target, "reason": "行政复议"}).encode()
        reply = await server.send("POST", HOLDS, token=custodian, body=sent)
        assert reply.status == 201, reply.body
        hold_ids.append(reply.json()["hold_id"])
    on_case, on_recording = hold_ids
    statements: list[str] = []
    with sqlite3.connect(server.ctx.config.index_path) as conn:
        conn.row_factory = sqlite3.Row
        conn.set_trace_callback(statements.append)
        page = keeping(conn, None, None, (100, 0))
    held = {str(line.evidence_id): line.holds for line in page}
    assert held == {
        stored[0]: (on_case,),
        stored[1]: (on_recording,),
        stored[2]: (),
        stored[3]: (on_case,),
        stored[4]: (),
    }
    assert sum("FROM holds" in statement for statement in statements) == 1, statements
