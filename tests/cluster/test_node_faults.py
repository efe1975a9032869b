"""The real agent uploading through nginx while the cluster's parts fail: a node killed
with SIGKILL in the middle of a PATCH (its upload lock, held in PostgreSQL, is seen by the
other nodes while it lives and goes with it), and S3 out of reach (503
storage_unavailable from the nodes, nothing stored half). Each time the dock keeps its
copy, the agent retries, and the footage ends receipted through the nodes still up."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.digest import Sha256
from evidence.tus_wire import BUSY_HEADER
from evidence.wire import FILES
from ingest.locks import upload_key
from runtime.key_files import load_private_key
from storage.advisory_locks import lock_number
from tests.agent.conftest import agent_config_for, all_in, enrol, running_agent, wait_for_rows
from tests.cluster.conftest import logged_patches
from tests.conftest import Device

CHINA = timezone(timedelta(hours=8))
_HOLDER = (
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
    " AND l.classid::bigint = %s AND l.objid::bigint = %s"
)


def _agent(books, nodes, tmp_path: Path, device_id: str, **changes):
    config = agent_config_for(nodes.url, nodes.keys / "server.pub.pem", tmp_path)
    for bay in config.watch:
        bay.mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(config, device_id=device_id, make_proxies=False, **changes)


def _record(bay: Path, seconds: float = 4) -> Path:
    started = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
    return BodyCamera(bay).record(started_at=started, seconds=seconds).media


def _open_upload(dsn: str, device_id: str) -> str | None:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT upload_id FROM uploads WHERE device_id = %s AND state = 'open'", (device_id,)
        ).fetchone()
    return None if row is None else str(row[0])


def _holder(dsn: str, key: str) -> int | None:
    """The pid of the server whose lock connection holds ``key`` (its application_name)."""
    number = lock_number(key) & 0xFFFF_FFFF_FFFF_FFFF
    with psycopg.connect(dsn) as conn:
        row = conn.execute(_HOLDER, (number >> 32, number & 0xFFFF_FFFF)).fetchone()
    return None if row is None else int(str(row[0]).rsplit(" ", 1)[1])


async def _taken_mid_patch(dsn: str, device_id: str, within: float = 30) -> tuple[str, int]:
    """The agent's upload and the pid of the node taking its PATCH body now."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        upload_id = await asyncio.to_thread(_open_upload, dsn, device_id)
        if upload_id is not None:
            pid = await asyncio.to_thread(_holder, dsn, upload_key(upload_id))
            if pid is not None:
                return upload_id, pid
        await asyncio.sleep(0.02)
    raise AssertionError("no node took a PATCH of the agent's upload")


async def test_a_node_killed_mid_patch_and_the_agent_finishes_through_another(
    books, nodes, tmp_path, rule
):
    device_id = "dock-cluster-kill"
    agent = _agent(books, nodes, tmp_path, device_id, bandwidth="64K")  # a PATCH of seconds
    await enrol(books.ctx.index, agent)
    media = await asyncio.to_thread(_record, agent.watch[0])
    footage = media.read_bytes()
    dsn = nodes.postgres.dsn("postgres")
    async with running_agent(agent, rule) as service:
        upload_id, pid = await _taken_mid_patch(dsn, device_id)
        holder = next(node for node in nodes.nodes if node.process and node.process.pid == pid)
        other = next(node for node in nodes.nodes if node is not holder)
        device = Device(
            device_id, load_private_key(agent.key_path), agent.key_path, agent.public_key_path
        )
        token = await books.token_for(device)
        url = other.url + FILES + upload_id
        head = await books.head(url, token)
        assert head.status == 200 and head.headers.get(BUSY_HEADER) == "1", "held on another node"
        reply = await books.patch(url, int(head.headers["Upload-Offset"]), b"x" * 10, token)
        assert reply.status == 423 and reply.code == "upload_locked", reply.body

        os.kill(pid, signal.SIGKILL)  # mid-PATCH, as a crash would
        assert holder.wait_exit(10) == -9
        deadline = time.monotonic() + 10
        while (await books.head(url, token)).headers.get(BUSY_HEADER) == "1":
            assert time.monotonic() < deadline, "the dead node's lock was never released"
            await asyncio.sleep(0.05)
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=90)
    assert media.read_bytes() == footage, "the dock kept its copy throughout"
    (row,) = rows
    stored = await books.ctx.index.objects.get(row.evidence_id, row.role)
    assert stored is not None and stored.sha256 == Sha256.of(footage)
    taken = await logged_patches(
        nodes, upload_id, lambda t: len(t) >= 2 and t[-1] != holder.address
    )
    assert len(taken) >= 2 and taken[-1] != holder.address, taken  # finished on another node


async def test_s3_out_of_reach_is_503_and_the_agent_retries_until_it_is_back(
    books, nodes, tmp_path, rule
):
    device_id = "dock-cluster-s3"
    agent = _agent(books, nodes, tmp_path, device_id)
    await enrol(books.ctx.index, agent)
    nodes.s3.stop()
    media = await asyncio.to_thread(_record, agent.watch[0], 2)
    footage = media.read_bytes()
    async with running_agent(agent, rule) as service:
        rows = await wait_for_rows(
            service.journal,
            lambda rows: any(row.error_code == "storage_unavailable" for row in rows),
        )
        assert not any(row.state is FileState.RECEIPTED for row in rows)
        (row,) = rows
        assert await books.ctx.index.objects.get(row.evidence_id, row.role) is None
        refused = [
            line for line in nodes.nginx.access_log.read_text().splitlines() if " 503 " in line
        ]
        assert refused, "the nodes answered 503 through nginx"
        nodes.s3.start()
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=90)
    assert media.read_bytes() == footage, "the dock kept its copy throughout"
    stored = await books.ctx.index.objects.get(rows[0].evidence_id, rows[0].role)
    assert stored is not None and stored.sha256 == Sha256.of(footage)
