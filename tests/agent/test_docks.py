"""Docked cameras, end to end: a camera's storage appears in a bay, the real agent copies
it into its staging area, measures the camera's clock, checks the camera's claims, and
the real server receipts every file; a camera pulled mid-copy loses nothing and the copy
resumes when it is back. Real clips (PyAV), real files, a real server on loopback."""

import asyncio
import dataclasses
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.config import AgentConfig, BayConfig
from agent.states import FileState
from devices.camera_mount import CameraMount
from evidence.manifest import Manifest
from liuhen.cli import main
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def docked(agent_config: AgentConfig, tmp_path: Path) -> AgentConfig:
    """The agent with one bay (an empty mount point) and nothing else watched."""
    bay = tmp_path / "mnt" / "bay-1"
    bay.mkdir(parents=True)
    return dataclasses.replace(
        agent_config,
        watch=(),
        bays=(BayConfig("bay-1", bay),),
        bay_poll_seconds=0.1,
        make_proxies=False,
        clock_drift_alarm_seconds=60.0,
    )


def camera(tmp_path: Path, name: str = "BWC-00042", **options) -> CameraMount:
    return CameraMount.off_the_dock(tmp_path / "cameras" / name, device_serial=name, **options)


def manifest_of(row, rule) -> Manifest:
    return Manifest.parse(row.manifest, rule)


async def status(capsys, config: AgentConfig, *extra: str) -> str:
    toml = config.data_dir.parent / "dock.toml"
    toml.write_text(f'[agent]\ndevice_id = "{config.device_id}"\ndata_dir = "{config.data_dir}"\n')
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["--config", str(toml), "agent", "status", *extra])
    assert code == 0
    return capsys.readouterr().out


async def test_a_camera_three_minutes_fast_is_measured_at_docking_and_its_manifest_says_so(
    docked, rule, tmp_path, capsys
):
    fast = camera(tmp_path, clock_offset=180.0, sidecar_shape="xml")
    for n in range(2):
        await asyncio.to_thread(
            fast.camera.record,
            started_at=NOW - timedelta(minutes=10 - n),
            seconds=2,
            width=320,
            height=240,
            check_value="md5",
            important=n == 1,
        )
    fast.dock(docked.bays[0].path)
    async with running_agent(docked, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 2))
    manifests = [manifest_of(row, rule) for row in originals(rows)]
    for manifest in manifests:
        assert manifest.clock is not None and manifest.clock.method == "sidecar_clock"
        assert abs(manifest.clock.offset_ms - 180_000) < 3_000, manifest.clock
        claims = manifest.camera
        assert claims is not None and claims.bay == "bay-1" and claims.sidecar == "xml"
        assert claims.digest is not None and claims.digest.algorithm == "md5"
        assert claims.digest.matches
        # the claim stays the camera's: corrected, it is when the clip really started
        corrected = manifest.clock.station_time(manifest.capture.started_at)
        assert abs(corrected - (NOW - timedelta(minutes=10))) < timedelta(minutes=1, seconds=5)
    assert sorted(m.camera.important for m in manifests) == [False, True]
    assert all(row.path.is_relative_to(docked.staging_dir) for row in originals(rows))
    out = await status(capsys, docked)
    assert "1 station alarm(s):" in out
    assert "CLOCK     camera BWC-00042" in out and re.search(r"clock \+1(79|80)\.\d s off", out)


async def test_a_camera_pulled_mid_copy_loses_nothing_and_the_copy_resumes(docked, rule, tmp_path):
    mount = camera(tmp_path)
    small = await asyncio.to_thread(
        mount.camera.record, started_at=NOW - timedelta(minutes=9), seconds=1, width=320, height=240
    )
    big = mount.media_folder / "BWC-00042_130102001_LONG_0002.MP4"
    big.write_bytes(os.urandom(5 * 1024 * 1024 + 12345))  # footage all the same, if no video
    os.utime(big, (NOW.timestamp(), NOW.timestamp()))  # newer: copied after the small one
    original = big.read_bytes()
    seen: list[int] = []
    pulled = []

    def pull_after_two_blocks(source: Path, done: int) -> None:
        seen.append(done)
        if source.name == big.name and not pulled and done >= 2 * 1024 * 1024:
            pulled.append(done)
            mount.undock()  # the officer takes the camera mid-copy

    mount.dock(docked.bays[0].path)
    async with running_agent(docked, rule) as service:
        service.station.bays.on_block = pull_after_two_blocks
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
        await asyncio.sleep(0.5)
        partials = list((docked.data_dir / "copying").rglob("*.MP4"))
        assert [p.stat().st_size for p in partials] == [2 * 1024 * 1024], "kept what was copied"
        staged = list(docked.staging_dir.rglob("*.MP4"))
        assert [p.name for p in staged] == [small.media.name], "a partial copy is never footage"
        assert [row.path.name for row in originals(rows)] == [small.media.name]
        seen.clear()
        mount.dock(docked.bays[0].path)  # back in the dock
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 2))
    assert seen[0] == 3 * 1024 * 1024, "resumed after the bytes it had, not from the start"
    [copy] = [row for row in originals(rows) if row.path.name == big.name]
    assert copy.path.read_bytes() == original == (mount.media_folder / big.name).read_bytes()
    assert not list((docked.data_dir / "copying").rglob("*.MP4"))


async def test_malformed_sidecars_of_both_shapes_are_named_and_the_footage_still_goes(
    docked, rule, tmp_path, capsys
):
    mount = camera(tmp_path, sidecar_shape="xml")
    for n, shape in enumerate(("xml", "json")):
        mount.camera.sidecar_shape = shape
        await asyncio.to_thread(
            mount.camera.record,
            started_at=NOW - timedelta(minutes=5 - n),
            seconds=1,
            width=320,
            height=240,
            malformed_sidecar=True,
        )
    mount.dock(docked.bays[0].path)
    async with running_agent(docked, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 2))
    for row in originals(rows):
        manifest = manifest_of(row, rule)
        assert manifest.capture.time_source == "file_mtime"  # the sidecar's start was unusable
        problem = manifest.camera.sidecar_problem
        field = "CollectTime" if manifest.camera.sidecar == "xml" else "started_at"
        assert field in problem and row.path.stem in problem, problem
    assert {manifest_of(row, rule).camera.sidecar for row in originals(rows)} == {"xml", "json"}
    out = await status(capsys, docked)
    for row in originals(rows):
        line = out.split(str(row.path), 1)[1].splitlines()[1]
        assert line.strip().startswith("note: sidecar: sidecar " + row.path.stem), line
    listed = json.loads(await status(capsys, docked, "--json"))
    assert all(len(item["notes"]) == 1 for item in listed["files"])
    assert listed["station_alarms"] == []  # an unusable sidecar is a note, not an alarm


async def test_a_camera_digest_that_disagrees_is_an_alarm_and_the_footage_still_goes(
    docked, rule, tmp_path, capsys
):
    mount = camera(tmp_path)
    clip = await asyncio.to_thread(
        mount.camera.record,
        started_at=NOW - timedelta(minutes=3),
        seconds=1,
        width=320,
        height=240,
        check_value="sha256",
        wrong_check_value=True,
    )
    mount.dock(docked.bays[0].path)
    async with running_agent(docked, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
    [row] = originals(rows)
    digest = manifest_of(row, rule).camera.digest
    assert digest.algorithm == "sha256" and not digest.matches
    assert digest.value == clip.metadata.check_value.value
    out = await status(capsys, docked)
    assert f"DIGEST    {row.path}" in out and "kept, signed and uploaded" in out
    assert row.path.read_bytes() == (mount.media_folder / clip.media.name).read_bytes()


async def test_under_disk_pressure_footage_stays_on_the_camera_until_there_is_room(
    docked, rule, tmp_path, capsys
):
    mount = camera(tmp_path)
    clip = await asyncio.to_thread(
        mount.camera.record, started_at=NOW - timedelta(minutes=2), seconds=1, width=320, height=240
    )
    mount.dock(docked.bays[0].path)
    full = dataclasses.replace(docked, min_free_bytes=1 << 62)  # more than any disk has
    async with running_agent(full, rule) as service:
        await asyncio.sleep(1.0)
        assert await service.journal.all_files() == []
    assert not list(docked.staging_dir.rglob("*.MP4"))
    assert (mount.media_folder / clip.media.name).is_file(), "left on the camera"
    out = await status(capsys, docked)
    assert "ON CAMERA camera BWC-00042" in out and "1 file(s) left on the camera" in out
    async with running_agent(docked, rule) as service:  # room again
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
    assert "ON CAMERA" not in await status(capsys, docked)


async def test_run_once_waits_for_a_docked_cameras_footage(docked, rule, tmp_path):
    """'liuhen agent run --once' stops when every file found is finished: a docked
    camera's files count as found, whether or not they are copied off yet."""
    from agent.runner import agent_service

    mount = camera(tmp_path)
    for n in range(2):
        await asyncio.to_thread(
            mount.camera.record,
            started_at=NOW - timedelta(minutes=4 - n),
            seconds=1,
            width=320,
            height=240,
        )
    mount.dock(docked.bays[0].path)
    async with agent_service(docked, rule) as service:
        await asyncio.wait_for(service.run(once=True), 60)
        rows = await service.journal.all_files()
    assert [row.state for row in originals(rows)] == [FileState.RECEIPTED] * 2
