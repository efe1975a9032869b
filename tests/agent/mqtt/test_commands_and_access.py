"""Commands over a real mosquitto, executed once by id, including one sent while the agent
was away; and the broker's access list: a station writes only under its own prefix, a
reader only reads, a wrong password gets nowhere."""

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime

import aiomqtt
import pytest

from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.mqtt_commands import Command, CommandResult
from evidence.mqtt_wire import command_topic, result_topic, station_topic
from evidence.telemetry import StationState
from tests.agent.conftest import all_in, running_agent, wait_for_rows
from tests.agent.mqtt.conftest import STATION, client, listening

PREFIX = "liuhen/v1"
RESULTS = station_topic(PREFIX, STATION, "cmd/+/result")
STATE = station_topic(PREFIX, STATION, "state")
NOW = datetime.now(UTC).replace(microsecond=0)


async def send(broker, name: str, command_id: str, args: dict | None = None) -> None:
    async with client(broker, "ops") as operator:
        body = Command(command_id, name, args or {}).to_bytes()
        await operator.publish(command_topic(PREFIX, STATION, name), body, qos=1)


def results(heard) -> list[CommandResult]:
    return [CommandResult.parse(m.payload) for m in heard.messages if m.topic.matches(RESULTS)]


async def commands_recorded(service) -> list[str]:
    rows = await service.station.db.run(
        lambda conn: list(conn.execute("SELECT id FROM commands ORDER BY id"))
    )
    return [row["id"] for row in rows]


async def test_a_command_sent_while_the_agent_is_away_is_executed_exactly_once(
    mqtt_config, broker, rule
):
    async with running_agent(mqtt_config, rule) as service:  # its persistent session begins
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
    pause = f"pause-{uuid.uuid4().hex[:8]}"
    async with listening(broker, RESULTS, session="ops-results", user="ops") as heard:
        await send(broker, "pause", pause)  # the agent is away: the broker keeps it
        await send(broker, "pause", pause)  # the operator, unsure, sends it again
        await asyncio.to_thread(
            BodyCamera(mqtt_config.watch[0]).record,
            started_at=NOW,
            seconds=1,
            width=320,
            height=240,
        )
        async with running_agent(mqtt_config, rule) as service:
            await heard.wait(lambda: len(results(heard)) == 2)
            assert service.paused
            await asyncio.sleep(1.5)  # settled long since: paused, nothing starts
            [row] = await service.journal.all_files()
            assert row.state in (FileState.DISCOVERED, FileState.READY)
            assert await commands_recorded(service) == [pause]
            resume = f"resume-{uuid.uuid4().hex[:8]}"
            await send(broker, "resume", resume)
            await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
    first, again, resumed = results(heard)
    assert (first.command_id, first.ok, first.duplicate) == (pause, True, False)
    assert (again.command_id, again.duplicate) == (pause, True)
    assert again.executed_at == first.executed_at, "the first result, not a second execution"
    assert (resumed.command_id, resumed.command, resumed.ok) == (resume, "resume", True)


async def test_pause_outlives_a_restart_and_the_state_says_so(mqtt_config, broker, rule):
    async with (
        listening(broker, RESULTS, user="ops") as heard,
        running_agent(mqtt_config, rule) as service,
    ):
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
        await send(broker, "pause", "p-1")
        await send(broker, "bandwidth", "b-1", {"bytes_per_second": 500_000})
        await heard.wait(lambda: len(results(heard)) == 2)
    assert results(heard)[1].message == "upload cap 500000 bytes per second"
    async with listening(broker, STATE) as heard, running_agent(mqtt_config, rule) as service:
        assert service.paused
        boot = service.station.outbox.boot

        def this_boot() -> list[StationState]:
            states = [StationState.parse(body) for body in heard.on(STATE)]
            return [state for state in states if state.boot == boot]

        await heard.wait(lambda: this_boot())
    state = this_boot()[-1]
    assert state.paused and state.bandwidth_bytes_per_second == 500_000


async def test_a_bad_command_is_answered_with_its_error_and_changes_nothing(
    mqtt_config, broker, rule
):
    async with (
        listening(broker, RESULTS, user="ops") as heard,
        running_agent(mqtt_config, rule) as service,
    ):
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
        async with client(broker, "ops") as operator:
            topic = command_topic(PREFIX, STATION, "bandwidth")
            await operator.publish(topic, b'{"id": "b-2", "args": {"bytes_per_second": -1}}', qos=1)
        await heard.wait(lambda: len(results(heard)) == 1)
        assert await commands_recorded(service) == []
    [answer] = results(heard)
    assert (answer.ok, answer.code) == (False, "bad_message")
    assert "bytes_per_second" in answer.message


async def test_rescan_looks_at_every_folder_now_and_not_again_for_the_same_id(
    mqtt_config, broker, rule
):
    """A file found and then taken away before it settled is forgotten only by a rescan;
    with the timer's rescan ten minutes off, the command is what does it."""
    config = dataclasses.replace(mqtt_config, rescan_seconds=600.0)
    media = config.watch[0] / "temp.mp4"
    async with (
        listening(broker, RESULTS, user="ops") as heard,
        running_agent(config, rule) as service,
    ):
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
        await heard.wait(lambda: service.last_rescan_started > 0)  # the start's own rescan
        media.write_bytes(b"not yet footage")
        await wait_for_rows(service.journal, lambda rows: len(rows) == 1)
        media.unlink()
        await asyncio.sleep(1.0)  # settling rounds pass; only a rescan forgets it
        assert len(await service.journal.all_files()) == 1
        first_rescan = service.last_rescan_started
        await send(broker, "rescan", "r-1")
        await wait_for_rows(service.journal, lambda rows: rows == [], within=10)
        assert service.last_rescan_started > first_rescan
        again = service.last_rescan_started
        await send(broker, "rescan", "r-1")  # the same id again: answered, not executed
        await heard.wait(lambda: len(results(heard)) == 2)
        await asyncio.sleep(0.5)
        assert service.last_rescan_started == again
        assert await commands_recorded(service) == ["r-1"]
    first, duplicate = results(heard)
    assert (first.command, first.ok, first.duplicate) == ("rescan", True, False)
    assert first.message == "rescanning every folder and bay now"
    assert (duplicate.duplicate, duplicate.executed_at) == (True, first.executed_at)


async def test_each_user_is_kept_to_its_own_topics(broker):
    mine = station_topic(PREFIX, STATION, "events")
    theirs = station_topic(PREFIX, "dock-other", "events")
    async with listening(broker, f"{PREFIX}/#") as heard:
        async with client(broker, STATION) as station:
            await station.publish(theirs, b'{"forged": true}', qos=1)  # refused by the broker
            await station.publish(result_topic(PREFIX, "dock-other", "c-1"), b"{}", qos=1)
            await station.publish(command_topic(PREFIX, STATION, "pause"), b"{}", qos=1)
        async with client(broker, "fleet") as reader:
            await reader.publish(mine, b'{"forged": true}', qos=1)  # readers only read
        async with client(broker, STATION) as station:
            await station.publish(mine, b'{"real": true}', qos=1)
        await heard.wait(lambda: heard.on(mine))
        await asyncio.sleep(0.3)
    assert [(m.topic.value, bytes(m.payload)) for m in heard.messages] == [
        (mine, b'{"real": true}')
    ]
    with pytest.raises(aiomqtt.MqttError):
        async with aiomqtt.Client("127.0.0.1", broker.port, username=STATION, password="wrong"):
            pass
    with pytest.raises(aiomqtt.MqttError):
        async with aiomqtt.Client("127.0.0.1", broker.port):  # no one at all
            pass
