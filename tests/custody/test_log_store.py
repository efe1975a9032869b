"""The custody log in the index, on SQLite and on PostgreSQL (tests/index_backends.py):
every leaf kept with its number, the nodes a proof needs stored once, appends serialised
across processes, events and their leaves kept together or not at all, and nothing
changed afterwards."""

import asyncio
import sqlite3

import pytest

from evidence import merkle
from evidence.errors import StorageFailure
from evidence.tlog.compact import CompactRange
from evidence.tlog.prove import consistency_plan, inclusion_plan
from evidence.tlog.verify import verify_consistency, verify_inclusion
from storage.log_records import AccessQuery, CheckpointRecord
from storage.sqlite import open_sqlite_index
from tests.custody.leaves import AT, access, resolution


@pytest.fixture
async def index(tmp_path, open_index_at):
    opened = await open_index_at(tmp_path / "index.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
async def sqlite_index(tmp_path):
    """For the tests that change SQLite's own triggers to fake a fault."""
    opened = await open_sqlite_index(tmp_path / "index.sqlite3")
    yield opened
    await opened.close()


async def root_of(log, size):
    nodes = await log.nodes(CompactRange.node_ids(size))
    return CompactRange.from_nodes(size, nodes.__getitem__).root()


async def test_each_leaf_is_provably_in_every_tree_that_holds_it(index):
    bodies = [access(n) for n in range(13)]
    logged = [await index.log.append(body) for body in bodies]
    assert [entry.index for entry in logged] == list(range(13))
    hashes = [merkle.leaf_hash(body) for body in bodies]
    for size in range(1, 14):
        root = await root_of(index.log, size)
        assert root == merkle.root_from_leaf_hashes(hashes[:size])
        for leaf in range(size):
            plan = inclusion_plan(leaf, size)
            proof = plan.hashes(await index.log.nodes(plan.node_ids))
            verify_inclusion(hashes[leaf], leaf, size, proof, root)
        for old in range(1, size):
            plan = consistency_plan(old, size)
            proof = plan.hashes(await index.log.nodes(plan.node_ids))
            verify_consistency(old, size, proof, await root_of(index.log, old), root)
    assert (await index.log.leaf(5)).body == bodies[5]
    assert await index.log.find(hashes[7]) == 7
    assert [e.body for e in await index.log.leaves(10, 100)] == bodies[10:]


async def test_a_restart_keeps_the_tree(tmp_path, open_index_at):
    path = tmp_path / "index.sqlite3"
    first = await open_index_at(path)
    bodies = [access(n) for n in range(6)]
    for body in bodies[:5]:
        await first.log.append(body)
    await first.close()
    again = await open_index_at(path)
    try:
        assert (await again.log.append(bodies[5])).index == 5
        size, nodes = await again.log.tree()
        hashes = [merkle.leaf_hash(body) for body in bodies]
        assert size == 6
        assert CompactRange.from_nodes(6, nodes.__getitem__).root() == (
            merkle.root_from_leaf_hashes(hashes)
        )
    finally:
        await again.close()


async def test_concurrent_appends_from_two_processes_keep_one_consistent_tree(
    tmp_path, open_index_at
):
    """Two index handles on one file (the server and a command on its host) append at
    once: each leaf gets its own number and the stored nodes are the tree of all of them."""
    path = tmp_path / "index.sqlite3"
    server, command = await open_index_at(path), await open_index_at(path)
    try:
        bodies = [access(n) for n in range(60)]
        handles = [server if n % 2 else command for n in range(60)]
        logged = await asyncio.gather(
            *(handle.log.append(body) for handle, body in zip(handles, bodies, strict=True))
        )
        assert sorted(entry.index for entry in logged) == list(range(60))
        in_order = [entry.body for entry in await server.log.leaves(0, 100)]
        assert sorted(in_order) == sorted(bodies)
        size, nodes = await server.log.tree()
        hashes = [merkle.leaf_hash(body) for body in in_order]
        assert size == 60
        assert CompactRange.from_nodes(60, nodes.__getitem__).root() == (
            merkle.root_from_leaf_hashes(hashes)
        )
        for leaf in range(60):
            plan = inclusion_plan(leaf, 60)
            proof = plan.hashes(await command.log.nodes(plan.node_ids))
            verify_inclusion(hashes[leaf], leaf, 60, proof, merkle.root_from_leaf_hashes(hashes))
    finally:
        await server.close()
        await command.close()


async def test_leaves_nodes_and_checkpoints_cannot_be_changed(index, tmp_path, raw_sql_at):
    await index.log.append(access())
    await index.log.add_checkpoint(CheckpointRecord(1, bytes(32), b"note", AT))
    raw = raw_sql_at(tmp_path / "index.sqlite3")
    for statement in (
        "UPDATE log_leaves SET body = leaf_hash",
        "DELETE FROM log_leaves",
        "UPDATE log_nodes SET hash = hash",
        "DELETE FROM log_nodes",
        "DELETE FROM log_checkpoints",
        "UPDATE log_checkpoints SET root = note",
        "DELETE FROM log_accesses",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)


async def test_a_checkpoint_is_kept_once_and_another_root_for_its_size_is_refused(index):
    first = await index.log.add_checkpoint(CheckpointRecord(3, bytes(32), b"a", AT))
    assert await index.log.add_checkpoint(CheckpointRecord(3, bytes(32), b"b", AT)) == first
    with pytest.raises(StorageFailure, match="another root"):
        await index.log.add_checkpoint(CheckpointRecord(3, b"\x01" * 32, b"c", AT))
    assert (await index.log.latest_checkpoint()) == first


async def test_an_event_whose_leaf_cannot_be_logged_is_not_recorded(sqlite_index, tmp_path):
    index = sqlite_index
    await index.flags.raise_flag("late_upload", "x", "{}", AT)
    [flag] = await index.flags.open_flags()
    raw = sqlite3.connect(tmp_path / "index.sqlite3")
    raw.execute(
        "CREATE TRIGGER full_disk BEFORE INSERT ON log_leaves "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    raw.commit()
    with pytest.raises(StorageFailure, match="disk full"):
        await index.flags.resolve_flag(flag.flag_id, "checked", "zhao", AT, leaf=resolution(1))
    assert (await index.flags.flag(flag.flag_id)).open
    raw.execute("DROP TRIGGER full_disk")
    raw.commit()
    raw.close()
    await index.flags.resolve_flag(flag.flag_id, "checked", "zhao", AT, leaf=resolution(1))
    assert not (await index.flags.flag(flag.flag_id)).open
    assert await index.log.size() == 1


async def test_a_log_missing_a_node_refuses_to_grow(sqlite_index, tmp_path):
    index = sqlite_index
    for n in range(3):
        await index.log.append(access(n))
    raw = sqlite3.connect(tmp_path / "index.sqlite3")
    raw.execute("DROP TRIGGER log_nodes_append_only_d")
    raw.execute("DELETE FROM log_nodes WHERE level = 1")
    raw.commit()
    raw.close()
    with pytest.raises(StorageFailure, match="lacks node"):
        await index.log.append(access(9))
    assert await index.log.size() == 3


async def test_accesses_are_found_by_case_person_and_time(index):
    from evidence.tlog.leaf_parts import Actor, ActorRole

    chief = Actor("chief", ActorRole.SUPERVISOR)
    await index.log.append(access(0, case="A-1"))
    await index.log.append(access(1, case="A-2"))
    await index.log.append(access(2, case="A-1", actor=chief))
    found = await index.log.accesses(AccessQuery(case_number="A-1"))
    assert [entry.index for entry in found] == [2, 0]
    assert [e.index for e in await index.log.accesses(AccessQuery(actor="chief"))] == [2]
    assert len(await index.log.accesses(AccessQuery(since=AT))) == 3
