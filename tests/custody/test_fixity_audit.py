"""Fixity audits on a schedule and on demand: a share of the store per round, the objects
checked longest ago first, so everything is re-read within custody.fixity_days; the
command line with progress; an index from before the log begins it with backfill entries."""

import asyncio
import json
import sqlite3

import pytest

from evidence.receipt import SignedReceipt
from evidence.tlog.leaf_backfill import BackfillLeaf
from evidence.tlog.leaf_events import FixityLeaf
from evidence.tlog.leaves import parse_leaf
from ingest.custody_log.config import CustodyConfig
from ingest.fixity.audit import FixitySchedule
from liuhen.cli import main
from storage.sqlite import open_sqlite_index
from storage.sqlite.log_tables import LOG_TABLES
from storage.sqlite.migrations import STEPS, _log_what_is_held
from tests.custody.helpers import stored_recording
from tests.custody.tamper import edit_stored_file
from tests.custody.test_tamper import blob
from tests.index_backends import INDEX_BACKENDS


def test_a_round_checks_its_share_so_everything_is_read_within_the_period():
    hourly_for_30_days = FixitySchedule(days=30, round_seconds=3600)
    assert hourly_for_30_days.share(0) == 0
    assert hourly_for_30_days.share(1) == 1
    assert hourly_for_30_days.share(720_000) == 1000  # 720 rounds
    assert hourly_for_30_days.share(720_001) == 1001  # never less than the period needs
    assert FixitySchedule(days=1, round_seconds=2 * 86_400).share(7) == 7


@pytest.mark.parametrize("server_index", INDEX_BACKENDS, indirect=True)
async def test_the_objects_checked_longest_ago_come_first(server):
    first, second, third = [await stored_recording(server) for _ in range(3)]
    objects = server.ctx.index.objects
    await server.ctx.services.verifier.verify(second.signed.manifest.evidence_id)
    await server.ctx.services.verifier.verify(first.signed.manifest.evidence_id)
    due = [str(o.evidence_id) for o in await objects.due_for_check(3)]
    assert due == [str(r.signed.manifest.evidence_id) for r in (third, second, first)]


async def test_the_server_audits_a_share_every_round_by_itself(server):
    stored = [await stored_recording(server) for _ in range(3)]
    await server.reconfigure(custody=CustodyConfig(fixity_days=1, fixity_round_seconds=0.2))
    objects = server.ctx.index.objects
    for _ in range(50):
        checked = [
            await objects.latest_verification(r.signed.manifest.evidence_id, r.signed.manifest.role)
            for r in stored
        ]
        if all(checked):
            break
        await asyncio.sleep(0.1)
    assert all(record is not None and record.ok for record in checked)
    entries = await server.ctx.index.log.leaves(0, 1000)
    audits = {leaf.audit for e in entries if isinstance(leaf := parse_leaf(e.body), FixityLeaf)}
    assert audits and all(name.startswith("scheduled-") for name in audits)


async def test_the_command_line_audits_with_progress_and_exits_1_on_damage(
    server, tmp_path, capsys
):
    ready = await stored_recording(server)
    await stored_recording(server, case_number="JSZF-2026-0099")
    config = tmp_path / "liuhen.toml"
    config.write_text(f'[server]\ndata_dir = "{server.ctx.config.data_dir}"\n')
    base = ["--config", str(config), "--log-level", "CRITICAL", "audit", "fixity"]
    assert await asyncio.to_thread(main, [*base, "--all"]) == 0
    out, err = capsys.readouterr()
    assert "[1/2]" in err and "[2/2]" in err and "ok" in err
    assert "2 checked, 0 failed" in out and "custody log: 2 entries" in out

    edit_stored_file(blob(server, ready), 10)
    assert (
        await asyncio.to_thread(
            main, [*base, "--case", str(ready.signed.manifest.case_number), "--json"]
        )
        == 1
    )
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["checked"] == 1 and report["failed"][0]["step"] == "chunks"
    assert "FAILED chunks" in err


async def test_an_index_from_before_the_log_begins_it_with_backfill_entries(server, tmp_path):
    stored = [await stored_recording(server) for _ in range(2)]
    old = tmp_path / "old.sqlite3"
    live = sqlite3.connect(server.ctx.config.index_path)
    raw = sqlite3.connect(old, isolation_level=None)
    live.backup(raw)  # a copy with what the WAL holds
    live.close()
    for table in LOG_TABLES:
        raw.execute(f"DROP TABLE {table}")  # its triggers go with it
    raw.execute(f"PRAGMA user_version = {STEPS.index(_log_what_is_held)}")
    raw.close()

    upgraded = await open_sqlite_index(old)
    try:
        entries = await upgraded.log.leaves(0, 100)
        leaves = [parse_leaf(e.body) for e in entries]
        assert all(isinstance(leaf, BackfillLeaf) for leaf in leaves)
        receipts = [
            SignedReceipt.parse(o.receipt_body, o.receipt_signature).receipt
            for o in [
                await upgraded.objects.get(r.signed.manifest.evidence_id, r.signed.manifest.role)
                for r in stored
            ]
        ]
        assert [leaf.ingest.sha256 for leaf in leaves] == [r.sha256 for r in receipts]
        assert [leaf.ingest.manifest_sha256 for leaf in leaves] == [
            r.manifest_sha256 for r in receipts
        ]
        assert await upgraded.log.unlogged_objects() == []
    finally:
        await upgraded.close()
    again = await open_sqlite_index(old)
    try:
        assert await again.log.size() == 2, "logged once, never again"
    finally:
        await again.close()
