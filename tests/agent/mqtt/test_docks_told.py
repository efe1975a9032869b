"""What a dock says over a real mosquitto: a camera three minutes fast docks with an XML
sidecar that is malformed beside one that is whole, is pulled mid-copy and comes back;
the fleet hears each docking with its clock, the drift, the unusable sidecar named with
its field, the undocking, and every file finalized, once, in order. Real agent, real
server, real bay, real clips (PyAV)."""

import asyncio
import dataclasses
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.config import BayConfig
from agent.states import FileState
from devices.camera_mount import CameraMount
from evidence.mqtt_wire import station_topic
from evidence.telemetry import StationEvent
from tests.agent.conftest import all_in, running_agent, wait_for_rows
from tests.agent.mqtt.conftest import STATION, listening

EVENTS = station_topic("liuhen/v1", STATION, "events")
NOW = datetime.now(UTC).replace(microsecond=0)
CAMERA = "BWC-00042"


def events(heard) -> list[StationEvent]:
    return [StationEvent.parse(body) for body in heard.on(EVENTS)]


def of(kind: str, told: list[StationEvent]) -> list[StationEvent]:
    return [event for event in told if event.type == kind]


async def fast_camera_with_a_bad_sidecar(storage: Path) -> tuple[CameraMount, Path]:
    """Two clips with XML sidecars, the second's malformed, and a big file to pull."""
    mount = CameraMount.off_the_dock(storage, clock_offset=180.0, sidecar_shape="xml")
    for n in range(2):
        await asyncio.to_thread(
            mount.camera.record,
            started_at=NOW - timedelta(minutes=10 - n),
            seconds=1,
            width=320,
            height=240,
            check_value="md5",
            malformed_sidecar=n == 1,
        )
    big = mount.media_folder / f"{CAMERA}_130102001_LONG_0003.MP4"
    big.write_bytes(os.urandom(5 * 1024 * 1024 + 12345))
    os.utime(big, (NOW.timestamp(), NOW.timestamp()))  # the newest: copied last
    return mount, big


async def test_a_fast_camera_pulled_mid_copy_with_a_bad_sidecar_is_told_to_the_fleet(
    mqtt_config, broker, rule, tmp_path
):
    bay = tmp_path / "mnt" / "bay-1"
    bay.mkdir(parents=True)
    config = dataclasses.replace(
        mqtt_config,
        watch=(),
        bays=(BayConfig("bay-1", bay),),
        bay_poll_seconds=0.1,
        clock_drift_alarm_seconds=60.0,
    )
    mount, big = await fast_camera_with_a_bad_sidecar(tmp_path / "cameras" / CAMERA)
    pulled: list[int] = []

    def pull_after_two_blocks(source: Path, done: int) -> None:
        if source.name == big.name and not pulled and done >= 2 * 1024 * 1024:
            pulled.append(done)
            mount.undock()  # the officer takes the camera mid-copy

    async with (
        listening(broker, EVENTS, session="fleet-docks") as heard,
        running_agent(config, rule) as service,
    ):
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
        service.station.bays.on_block = pull_after_two_blocks
        mount.dock(bay)
        await heard.wait(lambda: of("camera_undocked", events(heard)))
        mount.dock(bay)  # back in the dock: the copy resumes
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 3))
        await heard.wait(lambda: len(of("finalized", events(heard))) == 3)
        await asyncio.sleep(0.5)  # anything told twice would be here by now
    told = events(heard)
    assert [event.seq for event in told] == list(range(1, len(told) + 1))
    assert len({event.event_id for event in told}) == len(told)
    docked, undocked = of("camera_docked", told), of("camera_undocked", told)
    assert [(e.subject, e.detail["bay"]) for e in docked] == [(CAMERA, "bay-1")] * 2
    assert [(e.subject, e.detail) for e in undocked] == [(CAMERA, {"bay": "bay-1"})]
    assert docked[0].seq < undocked[0].seq < docked[1].seq
    for event in docked:
        assert event.detail["clock"]["method"] == "sidecar_clock"
        assert abs(event.detail["clock"]["camera_offset_ms"] - 180_000) < 3_000
    drift = of("clock_drift", told)
    assert drift and drift[0].subject == CAMERA
    assert abs(drift[0].detail["camera_offset_ms"] - 180_000) < 3_000
    [unusable] = of("sidecar_unusable", told)
    assert unusable.subject is not None and Path(unusable.subject).name.endswith("0002.MP4")
    assert "CollectTime" in unusable.detail["message"]
    assert Path(unusable.subject).stem in unusable.detail["message"]
    finalized = sorted(Path(e.subject).name for e in of("finalized", told) if e.subject)
    assert len(finalized) == 3 and finalized[-1] == big.name
    assert pulled, "the camera was pulled mid-copy"
