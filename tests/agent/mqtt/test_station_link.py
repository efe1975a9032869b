"""The station's MQTT link against a real mosquitto: retained status with its will, the
retained state, events from the outbox replayed once after a broker restart, and the
agent working on while the broker is away. Real agent, real server, real footage."""

import asyncio
import dataclasses
import json
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.config import AgentConfig
from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.mqtt_wire import station_topic
from evidence.telemetry import StationEvent, StationState, StationStatus
from tests.agent.conftest import all_in, running_agent, wait_for_rows
from tests.agent.mqtt.conftest import STATION, listening

PREFIX = "liuhen/v1"
STATUS = station_topic(PREFIX, STATION, "status")
STATE = station_topic(PREFIX, STATION, "state")
EVENTS = station_topic(PREFIX, STATION, "events")
NOW = datetime.now(UTC).replace(microsecond=0)


def statuses(heard) -> list[str]:
    return [StationStatus.parse(body).status for body in heard.on(STATUS)]


def events(heard) -> list[StationEvent]:
    return [StationEvent.parse(body) for body in heard.on(EVENTS)]


def toml_for(config: AgentConfig) -> str:
    mqtt = config.mqtt
    watch = json.dumps([str(folder) for folder in config.watch])
    return (
        f'[agent]\ndevice_id = "{config.device_id}"\nserver_url = "{config.server_url}"\n'
        f'data_dir = "{config.data_dir}"\nserver_public_key = "{config.server_public_key}"\n'
        f"watch = {watch}\nmake_proxies = false\n\n"
        f'[agent.mqtt]\nenabled = true\nport = {mqtt.port}\npassword_file = "{mqtt.password_file}"\n'
        f"keepalive_seconds = {mqtt.keepalive_seconds}\nstate_seconds = {mqtt.state_seconds}\n"
    )


async def test_the_will_says_lost_when_the_agent_is_killed(mqtt_config, broker, tmp_path):
    toml = tmp_path / "dock.toml"
    toml.write_text(toml_for(mqtt_config))
    log = tmp_path / "agent.log"
    async with listening(broker, STATUS) as heard:
        with open(log, "wb") as output:
            agent = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "liuhen.cli",
                "--config",
                str(toml),
                "agent",
                "run",
                stdout=output,
                stderr=output,
            )
        try:
            await heard.wait(lambda: statuses(heard) == ["online"], within=30)
            agent.send_signal(signal.SIGKILL)  # no goodbye: power cut, kill -9
            await asyncio.wait_for(agent.wait(), 10)
            await heard.wait(lambda: statuses(heard) == ["online", "lost"], within=5)
        finally:
            if agent.returncode is None:
                agent.kill()
                await agent.wait()
    lost = StationStatus.parse(heard.on(STATUS)[-1])
    online = StationStatus.parse(heard.on(STATUS)[0])
    assert lost.boot == online.boot and lost.device_id == STATION
    async with listening(broker, STATUS) as later:  # retained: a fleet starting now sees it
        await later.wait(lambda: statuses(later) == ["lost"], within=5)


async def test_a_clean_stop_says_offline_and_the_state_is_retained(mqtt_config, broker, rule):
    async with listening(broker, STATUS, STATE) as heard:
        async with running_agent(mqtt_config, rule):
            await heard.wait(lambda: statuses(heard) == ["online"] and heard.on(STATE))
        await heard.wait(lambda: statuses(heard) == ["online", "offline"], within=5)
    state = StationState.parse(heard.on(STATE)[-1])
    assert state.device_id == STATION and state.queue == {} and state.bytes_pending == 0
    assert not state.paused and state.disk_free_bytes > 0


async def test_a_broker_restart_replays_the_outbox_once(mqtt_config, broker, rule):
    """The agent records and uploads with the broker gone; its events wait in the outbox
    and are told once when the broker is back, in order, with no gap."""
    bay = mqtt_config.watch[0]
    camera = BodyCamera(bay)
    fleet = {"session": "fleet-test"}  # a consumer with a persistent session, as the fleet is
    async with running_agent(mqtt_config, rule) as service:
        async with listening(broker, EVENTS, **fleet) as heard:
            await asyncio.to_thread(camera.record, started_at=NOW, seconds=1, width=320, height=240)
            await heard.wait(lambda: [e.type for e in events(heard)][-1:] == ["finalized"])
            before = events(heard)
        broker.stop()
        await asyncio.to_thread(
            camera.record, started_at=NOW + timedelta(minutes=1), seconds=1, width=320, height=240
        )
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 2))  # MQTT is advisory
        broker.start()
        async with listening(broker, EVENTS, **fleet) as heard:
            await heard.wait(lambda: [e.type for e in events(heard)][-1:] == ["finalized"])
            await asyncio.sleep(1.0)  # anything told twice would be here by now
            after = events(heard)
    told = before + after
    assert [e.seq for e in told] == list(range(1, len(told) + 1)), "in order, no gap, no repeat"
    assert len({e.event_id for e in told}) == len(told)
    assert {e.boot for e in told} == {before[0].boot}
    second = [e for e in after if e.subject and "0002" in Path(e.subject).name]
    assert [e.type for e in second] == ["discovered", "uploaded", "finalized"]
    assert not [e for e in after if e.subject == before[0].subject], "nothing old told again"


async def test_the_agent_starts_and_works_with_no_broker_at_all(mqtt_config, broker, rule):
    broker.stop()
    await asyncio.to_thread(
        BodyCamera(mqtt_config.watch[0]).record, started_at=NOW, seconds=1, width=320, height=240
    )
    async with running_agent(mqtt_config, rule) as service:
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
        assert not service.station.link.connected.is_set()
        broker.start()
        async with listening(broker, EVENTS) as heard:
            await heard.wait(
                lambda: [e.type for e in events(heard)] == ["discovered", "uploaded", "finalized"]
            )


async def test_footage_gone_from_the_dock_is_an_error_event(mqtt_config, broker, rule):
    """Paused by command, the file waits ready; taken off the dock, the rescan finds it
    gone and the fleet hears an ``error`` event for it, in order after its discovery."""
    async with (
        listening(broker, EVENTS) as heard,
        running_agent(mqtt_config, rule) as service,
    ):
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
        service.pause()  # as the pause command does (tests/agent/mqtt/test_commands_and_access.py)
        clip = await asyncio.to_thread(
            BodyCamera(mqtt_config.watch[0]).record,
            started_at=NOW,
            seconds=1,
            width=320,
            height=240,
        )
        await wait_for_rows(service.journal, all_in(FileState.READY, 1))
        clip.media.unlink()  # someone deletes footage before its receipt
        await wait_for_rows(service.journal, all_in(FileState.VANISHED, 1))
        await heard.wait(lambda: [e.type for e in events(heard)] == ["discovered", "error"])
    discovered, error = events(heard)
    assert error.subject == discovered.subject == str(clip.media)
    assert error.detail["state"] == "vanished" and error.seq == discovered.seq + 1
    assert error.detail["evidence_id"] == discovered.detail["evidence_id"]
    assert error.detail["code"] == "vanished" and error.detail["message"]


async def test_a_disk_running_low_is_told_to_the_fleet_once(mqtt_config, broker, rule):
    """A station with only watched folders: its disk watch turning low is a ``disk_low``
    event, once while it stays low (the disk loop checks every few seconds)."""
    config = dataclasses.replace(mqtt_config, min_free_percent=99.9)  # any disk is low
    async with listening(broker, EVENTS) as heard, running_agent(config, rule) as service:
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
        await heard.wait(lambda: [e.type for e in events(heard)] == ["disk_low"])
        await asyncio.sleep(3)  # more rounds of the disk loop: nothing more is told
    [low] = events(heard)
    assert low.detail["during"] == "watching"
    [space, *_] = low.detail["file_systems"]
    assert space["free_bytes"] < space["total_bytes"] and space["path"]
