"""Three nodes append to one custody log at once (every recording stored is an entry):
the index's writers' lock (a transaction-scoped advisory lock on PostgreSQL) makes them
take turns, so the log neither forks nor skips: the audit that rebuilds the tree from
every entry finds it whole, every stored recording logged once, and a checkpoint over it
all verifies."""

from __future__ import annotations

import asyncio

from ingest.fixity.log_audit import LogAudit
from tests.ingest.helpers import created, prepared, sha256
from tests.s3.test_s3_uploads import CHUNK, finalize

SIZE = 100_000  # one part, one PATCH
UPLOADS = 12


async def _store_one(books) -> str:
    ready = await prepared(books, SIZE, chunk_size=CHUNK)
    url = await created(books, ready)
    reply = await books.patch(url, 0, ready.data, ready.token, checksum=sha256(ready.data))
    assert reply.status == 204, reply.body
    done = await finalize(books, ready)
    assert done.status == 200, done.body
    return str(done.headers["X-Liuhen-Node"])


async def test_three_nodes_appending_at_once_keep_one_whole_log(books, nodes):
    before = await books.ctx.index.log.size()
    finalized_by = await asyncio.gather(*(_store_one(books) for _ in range(UPLOADS)))
    assert len(set(finalized_by)) == len(nodes.nodes), finalized_by  # every node appended

    report = await LogAudit(books.ctx.index.log, books.ctx.log.trust()).run()
    assert report.ok, report.findings
    assert report.size == await books.ctx.index.log.size() >= before + UPLOADS
    assert not report.unlogged and not report.missing
    signed = await books.ctx.services.checkpoints.sign_now()
    assert signed.size == report.size
    again = await LogAudit(books.ctx.index.log, books.ctx.log.trust()).run()
    assert again.ok and again.checkpoints >= 1, again.findings
