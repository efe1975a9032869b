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


async def killed_on(heard, broker, config, tmp_path, failpoint: str, *command) -> None:
    """The agent, as its own process, sent ``command`` and killed at ``failpoint``."""
    toml, log = tmp_path / "dock.toml", tmp_path / "agent.log"
    toml.write_text(toml_for(config))
    agent = await agent_process(toml, log, failpoint)
    try:
        await heard.wait(lambda: statuses(heard)[-1:] == ["online"], within=30)
        await send(broker, *command)
        await asyncio.wait_for(agent.wait(), 15)
    finally:
        if agent.returncode is None:
            agent.kill()
            await agent.wait()
    assert agent.returncode == -signal.SIGKILL
    assert f"failpoint {failpoint} (hit 1): killing the agent" in log.read_text(errors="replace")
    assert results(heard) == [], "it died before it could answer"


async def test_a_command_the_agent_died_on_before_recording_it_is_executed_once_after(
    mqtt_config, broker, rule, tmp_path
):
    async with running_agent(mqtt_config, rule) as service:  # its persistent session begins
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
    async with listening(broker, RESULTS, STATUS, session="ops-crash", user="ops") as heard:
        failpoint = "agent.before_command_recorded"
        await killed_on(heard, broker, mqtt_config, tmp_path, failpoint, "pause", "p-crash")
        async with running_agent(mqtt_config, rule) as service:
            await heard.wait(lambda: len(results(heard)) == 1, within=15)
            assert service.paused
            assert await commands_recorded(service) == ["p-crash"]
            await asyncio.sleep(0.5)  # a second execution would be answered by now
    [answer] = results(heard)
    assert (answer.command_id, answer.ok, answer.duplicate) == ("p-crash", True, False)


async def test_a_cap_the_agent_recorded_and_died_on_is_in_force_after(
    mqtt_config, broker, rule, tmp_path
):
    """Killed once the id is recorded: the broker delivers the command again, it is
    answered as done, and what it set holds."""
    async with running_agent(mqtt_config, rule) as service:
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
    cap = {"bytes_per_second": 500_000}
    async with listening(broker, RESULTS, STATUS, session="ops-crash", user="ops") as heard:
        failpoint = "agent.after_command_recorded"
        await killed_on(heard, broker, mqtt_config, tmp_path, failpoint, "bandwidth", "b-1", cap)
        async with running_agent(mqtt_config, rule) as service:
            await heard.wait(lambda: len(results(heard)) == 1, within=15)
            assert service.policy.rate() == 500_000
            assert await commands_recorded(service) == ["b-1"]
    [answer] = results(heard)
    assert (answer.command_id, answer.command, answer.ok) == ("b-1", "bandwidth", True)
    assert answer.message == "upload cap 500000 bytes per second"
