"""The upload policy (issue 10): a bandwidth cap with a timetable, changeable while the
agent runs; and the order files go in (urgent footage first, then the oldest, originals
before copies). The cap is measured through a real server; the run-time change is made
with the real command beside the real agent; the order is the real journal's."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from agent.bandwidth import Timetable, format_rate, parse_rate
from agent.journal import Journal
from agent.pipeline import observe_file
from agent.policy import UploadPolicy
from agent.priority import urgency
from agent.states import FileState
from agent.tus_client import TusClient
from agent.uploader import upload_file
from devices.sidecar import Sidecar
from evidence.digest import CHUNK_SIZE
from evidence.errors import ConfigError
from evidence.identifiers import Role
from liuhen.cli import main
from tests.agent.conftest import all_in, by_hand, running_agent, wait_for_rows
from tests.agent.test_clean_stop import agent_toml

CHINA = timezone(timedelta(hours=8))
KIB = 1024


async def _nothing(*_: object) -> None:
    pass


async def test_the_cap_holds_an_upload_to_its_rate_through_a_real_server(
    server, agent_config, rule
):
    media = agent_config.watch[0] / "capped.mp4"
    media.write_bytes(os.urandom(1536 * KIB))
    async with by_hand(agent_config, rule, media) as (pipeline, journal, row):
        for _ in range(3):  # fingerprint, sign, register
            row = await pipeline._step(row)
        policy = UploadPolicy(Timetable.parse("512K"), journal.controls, CHINA)
        tus = TusClient(pipeline.api, policy.throttle)
        manifest = row.signed(rule).manifest
        started = time.monotonic()
        await upload_file(tus, media, manifest, None, _nothing)
        took = time.monotonic() - started
    rate = manifest.size / took
    assert 0.8 * 512 * KIB <= rate <= 1.15 * 512 * KIB, f"{rate / KIB:.0f} KiB/s in {took:.2f} s"
    stored = await server.ctx.index.objects.get(row.evidence_id, Role.ORIGINAL)
    assert stored is not None, "finalized: every byte arrived"


async def test_an_operator_lifts_the_cap_while_the_agent_uploads(
    server, agent_config, rule, tmp_path, capsys, caplog
):
    caplog.set_level(logging.INFO, logger="agent.policy")
    config = dataclasses.replace(agent_config, bandwidth="00:00,256K 12:00,256K")
    toml = agent_toml(config, tmp_path / "dock.toml")
    (config.watch[0] / "long.mp4").write_bytes(os.urandom(2 * CHUNK_SIZE + 99))
    async with running_agent(config, rule) as service:
        [row] = await wait_for_rows(
            service.journal,
            lambda rows: (
                bool(rows)
                and rows[0].progress is not None
                and rows[0].progress.done > 512 * KIB  # a couple of seconds into the upload
                and (rows[0].progress.rate or 0) > 0
            ),
        )
        assert row.progress.rate <= 1.3 * 256 * KIB, f"{row.progress.rate / KIB:.0f} KiB/s"
        code = await asyncio.to_thread(main, ["--config", str(toml), "agent", "bandwidth", "off"])
        assert code == 0
        assert capsys.readouterr().out.startswith(
            "upload bandwidth: no cap now (timetable 'off', set by"
        )
        changed = time.monotonic()
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
        assert time.monotonic() - changed < 10, "16 MiB at 256 KiB/s would take a minute"
        assert service.policy.rate() is None
    told = [r.getMessage() for r in caplog.records if "upload bandwidth now" in r.getMessage()]
    assert (
        told[0]
        == "upload bandwidth now 256.0 KiB/s (timetable '00:00,256K 12:00,256K', as configured)"
    )
    assert told[-1].startswith("upload bandwidth now no cap (timetable 'off', set by liuhen agent")

    code = await asyncio.to_thread(
        main, ["--config", str(toml), "agent", "bandwidth", "--configured"]
    )
    assert (code, capsys.readouterr().out) == (
        0,
        "upload bandwidth: 256.0 KiB/s now (timetable '00:00,256K 12:00,256K', agent.bandwidth)\n",
    )


def test_set_bandwidth_is_kept_and_a_bad_timetable_changes_nothing(tmp_path):
    async def run() -> None:
        journal = Journal(tmp_path / "journal.sqlite3")
        await journal.open()
        try:
            policy = UploadPolicy(Timetable.parse("off"), journal.controls, CHINA)
            await policy.set_bandwidth("08:00,2M 18:00,off", by="mqtt")
            with pytest.raises(ConfigError, match="not HH:MM"):
                await policy.set_bandwidth("8am,2M", by="mqtt")
            again = UploadPolicy(Timetable.parse("off"), journal.controls, CHINA)
            await again.refresh()
            assert again.timetable == Timetable.parse("08:00,2M 18:00,off")
            control = await journal.controls.get("bandwidth")
            assert control is not None and control.set_by == "mqtt"
        finally:
            await journal.close()

    asyncio.run(run())


@pytest.mark.parametrize(
    ("text", "at", "rate"),
    [
        ("off", "12:00", None),
        ("2M", "03:00", 2 * 1024 * 1024),
        ("08:00,2M 18:00,off", "07:59", None),  # yesterday's last entry, past midnight
        ("08:00,2M 18:00,off", "08:00", 2 * 1024 * 1024),
        ("08:00,2M 18:00,off", "17:59", 2 * 1024 * 1024),
        ("08:00,2M 18:00,off", "18:00", None),
        ("07:30,512K 12:00,1.5M 19:00,100", "12:30", 1.5 * 1024 * 1024),
        ("07:30,512K 12:00,1.5M 19:00,100", "02:00", 100),
        ("07:30,512k 12:00,1g", "13:00", 1024**3),
    ],
)
def test_the_timetable_gives_the_rate_of_the_hour(text, at, rate):
    hour, minute = map(int, at.split(":"))
    moment = datetime(2026, 3, 12, hour, minute, tzinfo=CHINA)
    assert Timetable.parse(text).rate_at(moment) == rate


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("fast", "not a rate"),
        ("0", "below 1 byte"),
        ("-1M", "not a rate"),
        ("08:00 2M", "not HH:MM,RATE"),
        ("24:00,1M", "not HH:MM"),
        ("08:60,1M", "not HH:MM"),
        ("18:00,1M 08:00,off", "rise through the day"),
        ("08:00,1M 08:00,2M", "rise through the day"),
        ("08:00,2X", "not a rate"),
    ],
)
def test_a_bad_timetable_says_what_is_wrong(text, says):
    with pytest.raises(ConfigError, match=says):
        Timetable.parse(text)


def test_rates_and_timetables_read_back_as_written():
    assert [parse_rate(t) for t in ("512K", "2M", "1G", "100", "off")] == [
        512 * 1024,
        2 * 1024**2,
        1024**3,
        100,
        None,
    ]
    assert [format_rate(r) for r in (512 * 1024, 2 * 1024**2, 100, None)] == [
        "512K",
        "2M",
        "100",
        "off",
    ]
    for text in ("off", "2M", "08:00,2M 18:00,off"):
        assert Timetable.parse(text).describe() == text


@pytest.mark.parametrize(
    ("sidecar", "why"),
    [
        (None, None),
        (Sidecar(), None),
        (Sidecar(place="石家庄"), None),
        (Sidecar(important=True), "marked important"),
        (Sidecar(important=False), None),
        (Sidecar(session_id="room1", segment=2), "a room session"),
        (Sidecar(case_number="冀石执罚〔2026〕第0012号"), "a case number"),
    ],
)
def test_what_makes_footage_urgent(sidecar, why):
    assert urgency(sidecar) == why


async def _ready(journal: Journal, path: Path, seen_at: float, urgent: bool):
    await asyncio.to_thread(path.write_bytes, os.urandom(100))
    row = await journal.observe(path, observe_file(path), True, seen_at)
    return await journal.move(row, FileState.READY, seen_at, urgent=int(urgent))


async def test_urgent_originals_go_first_then_the_oldest_then_copies(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    await journal.open()
    try:
        old = await _ready(journal, tmp_path / "old.mp4", 10.0, urgent=False)
        new = await _ready(journal, tmp_path / "new.mp4", 30.0, urgent=False)
        case = await _ready(journal, tmp_path / "case.mp4", 40.0, urgent=True)
        room = await _ready(journal, tmp_path / "room.mp4", 20.0, urgent=True)
        copy = await journal.add_derived(room, Role.PROXY, tmp_path / "copy.mp4", 5.0)
        order = [row.path.name for row in await journal.due(100.0, set(), 10)]
        assert order == ["room.mp4", "case.mp4", "old.mp4", "new.mp4", "copy.mp4"]
        assert copy.urgent, "a copy is as urgent as its original"
        skipped = await journal.due(100.0, {room.id}, 10, make_copies=False)
        assert [row.path.name for row in skipped] == ["case.mp4", "old.mp4", "new.mp4"]
        assert [row.id for row in await journal.due(100.0, set(), 2)] == [room.id, case.id]
        assert old.id < new.id
    finally:
        await journal.close()
