"""Disk pressure on the dock (issue 10). A full disk gave only a generic "watch loop
failed" traceback once a second per loop. Now low space is one alarm line (in the log and
first in ``liuhen agent status``), no review copy is started, nothing is evicted, and the
agent carries on by itself when space returns; a disk so full the journal cannot be
written is one named line per loop, repeats counted. Real small file systems (tmpfs) under
the real agent and server, and the rule with measurements given by hand beside them."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from agent.disk import DiskWatch, Space, is_low
from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.identifiers import Role
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.agent.small_disk import fill, small_disk

CHINA = timezone(timedelta(hours=8))
START = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
MIB = 1024 * 1024


def _messages(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


async def test_low_space_is_one_alarm_copies_wait_nothing_is_evicted_and_work_resumes(
    server, agent_config, rule, caplog
):
    config = dataclasses.replace(agent_config, min_free_bytes=4 * MIB, min_free_percent=0.0)
    caplog.set_level(logging.INFO)
    with small_disk(config.data_dir, "16m"):
        filler = fill(config.data_dir, leave=2 * MIB)
        clip = await asyncio.to_thread(
            BodyCamera(config.watch[0]).record, started_at=START, seconds=2, place="石家庄"
        )
        async with running_agent(config, rule) as service:
            rows = await wait_for_rows(
                service.journal,
                lambda rows: (
                    any(r.role is Role.PROXY for r in rows)
                    and originals(rows)[0].state is FileState.RECEIPTED
                ),
            )
            await asyncio.sleep(5 * config.rescan_seconds)  # a few rounds of every loop
            rows = await service.journal.all_files()
            assert service.disk.pressure
            [copy] = [r for r in rows if r.role is Role.PROXY]
            assert copy.state is FileState.READY, "no review copy under disk pressure"
            assert not copy.path.exists()
            assert not originals(rows)[0].safe_to_remove
            assert filler.exists() and clip.media.exists(), "nothing is evicted"
            low = _messages(caplog, "DISK LOW: ")
            assert len(low) == 1, low
            assert str(config.data_dir) in low[0] and "nothing is evicted" in low[0]

            filler.unlink()  # space returns; nobody does a thing
            rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
            assert not service.disk.pressure
    assert [r.state for r in rows if r.role is Role.PROXY] == [FileState.RECEIPTED]
    assert len(_messages(caplog, "disk space is back")) == 1
    assert not any(r.exc_info for r in caplog.records), "no tracebacks"


async def test_a_disk_too_full_for_the_journal_is_one_line_per_loop_then_work_resumes(
    server, agent_config, rule, caplog
):
    config = dataclasses.replace(agent_config, make_proxies=False)
    caplog.set_level(logging.WARNING)
    with small_disk(config.data_dir, "8m"):
        async with running_agent(config, rule) as service:
            filler = fill(config.data_dir)
            media = config.watch[0] / "clip.mp4"
            media.write_bytes(os.urandom(5000))
            await asyncio.sleep(4)  # four seconds of every loop failing, once a second
            failed = _messages(caplog, " failed; ")
            assert failed, "the full disk is told"
            assert all("database or disk is full" in line for line in failed), failed
            assert len(failed) == len(set(line.split(" failed; ")[0] for line in failed)), (
                "one line per loop, repeats counted",
                failed,
            )
            assert not any(r.exc_info for r in caplog.records), "no tracebacks"
            filler.unlink()
            rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
    assert [row.path for row in rows] == [media]
    assert _messages(caplog, "works again")


def _space(free: int, total: int = 100 * MIB, path: str = "/dock") -> Space:
    return Space(Path(path), free, total)


def test_low_is_under_either_threshold():
    assert is_low(_space(MIB - 1), MIB, 0.0)
    assert not is_low(_space(MIB), MIB, 0.0)
    assert is_low(_space(4 * MIB), 0, 5.0), "4% free is under 5%"
    assert not is_low(_space(5 * MIB), 0, 5.0)
    assert not is_low(_space(0, total=0), 0, 0.0), "a size unknown is not an alarm by percent"


def test_the_watch_tells_once_when_pressure_starts_and_once_when_it_ends(tmp_path, caplog):
    free = {"bytes": 10 * MIB}

    def statvfs(path: Path) -> os.statvfs_result:
        real = os.statvfs(path)
        block = real.f_frsize
        blocks = 100 * MIB // block
        avail = free["bytes"] // block
        return os.statvfs_result((real.f_bsize, block, blocks, avail, avail, *tuple(real)[5:]))

    caplog.set_level(logging.INFO, logger="agent.disk")
    watch = DiskWatch((tmp_path, tmp_path / "."), 8 * MIB, 0.0, statvfs=statvfs)
    assert not watch.check() and len(watch.spaces) == 1, "one file system, measured once"
    free["bytes"] = MIB
    assert watch.check() and watch.check() and watch.pressure
    free["bytes"] = 20 * MIB
    assert not watch.check() and not watch.pressure
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith(f"DISK LOW: {tmp_path}: 1.0 MiB free of 100.0 MiB (1.0%)")
    assert lines[1].startswith("disk space is back")
