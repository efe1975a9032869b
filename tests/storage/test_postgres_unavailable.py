"""When the PostgreSQL index goes away (stopped as a crash would stop it, mid-upload): the
server answers 503 index_unavailable, stores nothing half (PostgreSQL rolls back what was
not committed; the committed offset does not move), reconnects once it is back, and the
real agent keeps its copy and retries until it holds a receipt.

Each test stops a cluster of its own, not the session's."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from evidence.errors import IndexUnavailable
from storage.postgres import open_postgres_index
from storage.postgres_config import PostgresConfig
from tests.agent.outage import agent_keeps_its_copy_and_retries
from tests.ingest.helpers import created, prepared, sha256
from tests.postgres import TestPostgres, started

NOW = datetime(2026, 3, 12, tzinfo=UTC)
CHUNK = 64 * 1024


@pytest.fixture
def own_postgres() -> Iterator[TestPostgres]:
    cluster = started()
    yield cluster
    cluster.close()


@pytest.fixture
def server_index(own_postgres: TestPostgres) -> dict[str, Any]:
    """The ``server`` fixture's index, in this test's own cluster."""
    return {"index": "postgres", "postgres": PostgresConfig(**own_postgres.new_database())}


async def test_a_transaction_cut_short_leaves_nothing_and_the_index_reconnects(
    tmp_path, own_postgres: TestPostgres
):
    index = await open_postgres_index(tmp_path / "unused", **own_postgres.new_database())
    try:

        def half_then_cut(conn: Any) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO flags (kind, subject, detail, raised_at) VALUES ('x', 'half', '{}', ?)",
                ("2026-03-12T00:00:00.000000Z",),
            )
            own_postgres.stop()  # before COMMIT
            conn.execute("COMMIT")

        with pytest.raises(IndexUnavailable, match="unreachable") as caught:
            await index._db.run(half_then_cut)  # type: ignore[attr-defined]
        assert caught.value.code == "index_unavailable" and caught.value.status == 503
        with pytest.raises(IndexUnavailable):
            await index.flags.flags()  # still away: a clear 503 again, not a hang
        own_postgres.start()
        assert await index.flags.flags() == [], "the cut transaction left nothing"
        assert await index.flags.raise_flag("late_upload", "whole", "{}", NOW)
        assert [f.subject for f in await index.flags.flags()] == ["whole"]
    finally:
        await index.close()


async def test_a_patch_cut_by_a_stopped_index_is_503_and_moves_no_offset(
    server, own_postgres: TestPostgres
):
    ready = await prepared(server, 4 * CHUNK, chunk_size=CHUNK)
    url = await created(server, ready)
    upload_id = url.rsplit("/", 1)[1]
    first = ready.data[: 2 * CHUNK]
    assert (await server.patch(url, 0, first, ready.token, checksum=sha256(first))).status == 204

    uploads = server.ctx.index.uploads
    advance = uploads.advance

    async def stopped_then_advance(*args: Any, **kwargs: Any) -> bool:
        """The bytes are on disk; PostgreSQL goes before their offset is committed."""
        await asyncio.to_thread(own_postgres.stop)
        return await advance(*args, **kwargs)

    uploads.advance = stopped_then_advance
    rest = ready.data[2 * CHUNK :]
    reply = await server.patch(url, 2 * CHUNK, rest, ready.token, checksum=sha256(rest))
    assert reply.status == 503 and reply.code == "index_unavailable", reply.body
    uploads.advance = advance
    assert (await server.head(url, ready.token)).status == 503  # a HEAD has no body to say why

    await asyncio.to_thread(own_postgres.start)
    held = await uploads.upload(upload_id)
    assert held is not None and held.offset == 2 * CHUNK, "nothing past the committed offset"
    reply = await server.patch(url, 2 * CHUNK, rest, ready.token, checksum=sha256(rest))
    assert reply.status == 204, reply.body
    manifest = ready.signed.manifest
    stored = await server.ctx.index.objects.get(manifest.evidence_id, manifest.role)
    assert stored is not None and stored.sha256.hex == sha256_hex(ready.data)


def sha256_hex(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


async def test_the_agent_keeps_its_copy_and_retries_until_the_index_is_back(
    server, own_postgres: TestPostgres, tmp_path, rule
):
    await agent_keeps_its_copy_and_retries(
        server,
        tmp_path,
        rule,
        away=lambda: asyncio.to_thread(own_postgres.stop),
        back=lambda: asyncio.to_thread(own_postgres.start),
        code="index_unavailable",
    )
