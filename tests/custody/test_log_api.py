"""The custody log end to end through the API, checked as an outside verifier would with
``LogTrust`` and nothing but the published vkey: each stored recording's ingest entry is
proved in a signed checkpoint, later checkpoints extend earlier ones (and across a
restart), and forked or rolled-back checkpoints are refused."""

import asyncio
import base64
import json

import aiohttp
import pytest

from evidence import merkle
from evidence.errors import (
    CheckpointFork,
    CheckpointRollback,
    ConfigError,
    ConsistencyMismatch,
    InclusionMismatch,
)
from evidence.tlog.checkpoint import Checkpoint, SignedCheckpoint
from evidence.tlog.leaves import parse_leaf
from evidence.wire import KEYS, LOG_CHECKPOINT, LOG_CONSISTENCY, LOG_LEAF, LOG_PROOF
from ingest.custody_log.config import CustodyConfig
from ingest.http.server import running
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from tests.custody.helpers import log_signer, published_trust, stored_recording
from tests.custody.leaves import access


async def checkpoint(server, trust, size=None):
    path = LOG_CHECKPOINT + ("" if size is None else f"?size={size}")
    reply = await server.send("GET", path)
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"].startswith("text/plain")
    return trust.open(reply.body)


async def consistency(server, old, new):
    reply = await server.send("GET", f"{LOG_CONSISTENCY}?old={old}&new={new}")
    assert reply.status == 200, reply.body
    return [base64.b64decode(line) for line in reply.body.decode().splitlines()]


async def test_every_ingest_is_proved_in_a_signed_checkpoint(server):
    ready = [await stored_recording(server) for _ in range(3)]
    trust = await published_trust(server)
    auditor = await server.add_user("li", "auditor")
    for index, recording in enumerate(ready):
        leaf = await server.send("GET", LOG_LEAF.format(index=index), token=auditor)
        assert leaf.status == 200, leaf.body
        record = parse_leaf(leaf.body)
        assert record.evidence_id == recording.signed.manifest.evidence_id
        assert record.manifest_sha256 == recording.signed.sha256
        reply = await server.send("GET", f"{LOG_PROOF}?index={index}", token=auditor)
        assert reply.status == 200, reply.body
        proof = trust.verify_proof(reply.body, merkle.leaf_hash(leaf.body))
        assert proof.index == index and proof.checkpoint.checkpoint.size == 3
        by_hash = await server.send(
            "GET", f"{LOG_PROOF}?leaf_hash={merkle.leaf_hash(leaf.body).hex()}", token=auditor
        )
        assert by_hash.body == reply.body
    tampered = bytearray(leaf.body)
    tampered[-3] ^= 1
    with pytest.raises(InclusionMismatch):
        trust.verify_proof(reply.body, merkle.leaf_hash(bytes(tampered)))


async def test_reading_the_log_needs_the_right_person(server):
    await stored_recording(server)
    custodian = await server.add_user()
    assert (await server.send("GET", f"{LOG_PROOF}?index=0")).code == "unauthenticated"
    assert (await server.send("GET", f"{LOG_PROOF}?index=0", token=custodian)).status == 200
    leaf = await server.send("GET", LOG_LEAF.format(index=0), token=custodian)
    assert leaf.code == "forbidden"
    assert (await server.send("GET", LOG_CHECKPOINT)).status == 200, "checkpoints are public"
    missing = await server.send("GET", f"{LOG_PROOF}?index=7", token=custodian)
    assert missing.code == "unknown_log_entry"
    assert (await server.send("GET", f"{LOG_CHECKPOINT}?size=99")).code == "unknown_checkpoint"


async def test_later_checkpoints_extend_earlier_ones_across_a_restart(server):
    trust = await published_trust(server)
    await stored_recording(server)
    token = await server.add_user()
    first = trust.open((await server.send("POST", LOG_CHECKPOINT, token=token)).body)
    assert first.checkpoint.size == 1, "signed on demand: covers the entry just made"
    await stored_recording(server)
    await stored_recording(server)
    second = trust.open((await server.send("POST", LOG_CHECKPOINT, token=token)).body)
    assert second.checkpoint.size == 3
    proof = await consistency(server, first.checkpoint.size, second.checkpoint.size)
    trust.check_extends(first.checkpoint, second.checkpoint, proof)
    with pytest.raises(ConsistencyMismatch):
        trust.check_extends(first.checkpoint, second.checkpoint, proof[::-1] or [bytes(32)])

    await server.reconfigure(custody=CustodyConfig())  # a restart on the same books
    await stored_recording(server)
    again = trust.open((await server.send("POST", LOG_CHECKPOINT, token=token)).body)
    proof = await consistency(server, second.checkpoint.size, again.checkpoint.size)
    trust.check_extends(second.checkpoint, again.checkpoint, proof)
    assert (await checkpoint(server, trust, second.checkpoint.size)).to_bytes() == (
        second.to_bytes()
    ), "the server keeps every checkpoint it signed"


async def test_a_forked_or_rolled_back_checkpoint_is_refused_by_the_verifier(server):
    """A server that signs another history (same size, other root) or a shorter log is
    caught by whoever holds an earlier checkpoint, even with the log's own key."""
    trust = await published_trust(server)
    for _ in range(3):
        await stored_recording(server)
    token = await server.add_user()
    held = trust.open((await server.send("POST", LOG_CHECKPOINT, token=token)).body).checkpoint
    assert held.size == 3
    signer = log_signer(server)
    fork = SignedCheckpoint.sign(Checkpoint(held.origin, held.size, bytes(32)), signer)
    with pytest.raises(CheckpointFork):
        trust.check_extends(held, trust.open(fork.to_bytes()).checkpoint)
    rollback_root = merkle.root_from_leaf_hashes([bytes(32), bytes(32)])
    rollback = SignedCheckpoint.sign(Checkpoint(held.origin, 2, rollback_root), signer)
    with pytest.raises(CheckpointRollback):
        trust.check_extends(held, trust.open(rollback.to_bytes()).checkpoint)


async def test_the_public_keys_name_the_server_the_log_and_every_device(server):
    ready = await stored_recording(server)
    keys = (await server.send("GET", KEYS)).json()
    assert keys["log"]["origin"] == server.ctx.log.origin
    assert keys["log"]["origin"].startswith("localhost/liuhen/")
    assert keys["log"]["vkey"] == (await published_trust(server)).log_keys[0].vkey()
    assert keys["server"]["key_id"] == server.ctx.services.server_key_id
    devices = {d["device_id"]: d for d in keys["devices"]}
    assert devices[ready.device.device_id]["keys"][0]["key_id"] == ready.device.key_id
    assert json.dumps(keys)  # plain JSON for experts


async def test_checkpoints_come_every_m_entries_and_every_n_seconds(server):
    trust = await published_trust(server)
    await server.reconfigure(
        custody=CustodyConfig(checkpoint_interval_seconds=3600, checkpoint_entries=2)
    )
    start = (await checkpoint(server, trust)).checkpoint.size
    await stored_recording(server)
    await asyncio.sleep(1.5)
    assert (await checkpoint(server, trust)).checkpoint.size == start, "one entry: not yet"
    await stored_recording(server)
    assert await signed_within(server, trust, start + 2, seconds=3)

    await server.reconfigure(
        custody=CustodyConfig(checkpoint_interval_seconds=0.3, checkpoint_entries=1000)
    )
    await stored_recording(server)
    assert await signed_within(server, trust, start + 3, seconds=3)


async def signed_within(server, trust, size, seconds):
    for _ in range(int(seconds * 10)):
        if (await checkpoint(server, trust)).checkpoint.size == size:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_restarted_server_keeps_its_log_origin_and_key(tmp_path, rule):
    """Closed and opened again on its data directory, the server serves the same log: the
    same origin, a checkpoint that extends the one signed before; and it refuses to start
    as another log (a changed custody.log_host)."""
    config = IngestConfig(data_dir=tmp_path / "server", port=0)
    first = await open_server(config, rule)
    try:
        await first.index.log.append(access())
        before = await first.services.checkpoints.sign_now()
        origin = first.log.origin
    finally:
        await first.close()
    again = await open_server(config, rule)
    try:
        assert again.log.origin == origin
        await again.index.log.append(access())
        after = await again.services.checkpoints.sign_now()
        trust = again.log.trust()
        old, new = trust.open(before.note).checkpoint, trust.open(after.note).checkpoint
        async with (
            running(again, "127.0.0.1", 0) as url,
            aiohttp.ClientSession() as http,
            http.get(f"{url}{LOG_CONSISTENCY}?old=1&new=2") as reply,
        ):
            proof = [base64.b64decode(line) for line in (await reply.text()).splitlines()]
        trust.check_extends(old, new, proof)
    finally:
        await again.close()
    with pytest.raises(ConfigError, match="origin never changes"):
        await open_server(config, rule, custody=CustodyConfig(log_host="other.example"))
