"""A command the agent was killed on (kill -9) after it arrived and before its id was
recorded is executed once when the agent is back: the station acknowledges a command to
the broker only once it has recorded it, so the broker delivers it again. Real mosquitto,
the real agent as its own process, killed by a failpoint (agent/failpoints.py)."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from evidence.mqtt_wire import station_topic
from evidence.telemetry import StationStatus
from tests.agent.conftest import running_agent
from tests.agent.mqtt.conftest import STATION, listening
from tests.agent.mqtt.test_commands_and_access import commands_recorded, results, send
from tests.agent.mqtt.test_station_link import toml_for

PREFIX = "liuhen/v1"
RESULTS = station_topic(PREFIX, STATION, "cmd/+/result")
STATUS = station_topic(PREFIX, STATION, "status")


def statuses(heard) -> list[str]:
    return [StationStatus.parse(body).status for body in heard.on(STATUS)]


async def agent_process(toml: Path, log: Path, failpoint: str) -> asyncio.subprocess.Process:
    environment = {**os.environ, "LIUHEN_FAILPOINTS": failpoint}
    with open(log, "wb") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "liuhen.cli",
            "--config",
            str(toml),
            "agent",
            "run",
            stdout=output,
            stderr=output,
            env=environment,
        )


async def test_a_command_the_agent_died_on_before_recording_it_is_executed_once_after(
    mqtt_config, broker, rule, tmp_path
):
    async with running_agent(mqtt_config, rule) as service:  # its persistent session begins
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
    toml, log = tmp_path / "dock.toml", tmp_path / "agent.log"
    toml.write_text(toml_for(mqtt_config))
    async with listening(broker, RESULTS, STATUS, session="ops-crash", user="ops") as heard:
        agent = await agent_process(toml, log, "agent.before_command_recorded")
        try:
            await heard.wait(lambda: statuses(heard)[-1:] == ["online"], within=30)
            await send(broker, "pause", "p-crash")
            await asyncio.wait_for(agent.wait(), 15)
        finally:
            if agent.returncode is None:
                agent.kill()
                await agent.wait()
        assert agent.returncode == -signal.SIGKILL
        said = log.read_text(errors="replace")
        assert "failpoint agent.before_command_recorded (hit 1): killing the agent" in said
        assert results(heard) == [], "it died before it could answer"
        async with running_agent(mqtt_config, rule) as service:
            await heard.wait(lambda: len(results(heard)) == 1, within=15)
            assert service.paused
            assert await commands_recorded(service) == ["p-crash"]
            await asyncio.sleep(0.5)  # a second execution would be answered by now
    [answer] = results(heard)
    assert (answer.command_id, answer.ok, answer.duplicate) == ("p-crash", True, False)
