"""The fleet view against a real mosquitto, a real agent and a real server: a station
online, then lost when its agent is killed (the will), flagged station_silent after the
threshold and resolved when it is back; the server working with the broker down, and
catching up when it returns. MQTT is advisory: footage goes over HTTP either way."""

import asyncio
import json
import logging
import signal
import sys
from datetime import UTC, datetime

from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.wire import REPORT
from tests.agent.conftest import all_in, running_agent, wait_for_rows
from tests.agent.mqtt.conftest import STATION
from tests.agent.mqtt.test_station_link import toml_for
from tests.cli_people import Liuhen
from tests.fleet.helpers import flags, fleet, until, when_station

NOW = datetime.now(UTC).replace(microsecond=0)


async def start_agent(config, tmp_path):
    toml = tmp_path / "dock.toml"
    toml.write_text(toml_for(config))
    with open(tmp_path / "agent.log", "ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "liuhen.cli", "--config", str(toml), "agent", "run",
            stdout=output, stderr=output,
        )  # fmt: skip


async def test_a_station_online_then_lost_by_its_will_is_flagged_and_resolved_when_back(
    server, mqtt_config, tmp_path, capsys, monkeypatch
):
    chief = await server.add_user("zhao", "supervisor")
    liuhen = await supervisor_at_the_command_line(server, tmp_path, capsys, monkeypatch)
    agent = await start_agent(mqtt_config, tmp_path)
    try:
        online = await until(
            when_station(server, chief, STATION, lambda s: s["condition"] == "online"), 30
        )
        assert online["registered"] and online["status"] == "online"
        assert online["queue_depth"] == 0 and online["disk_free_bytes"] > 0
        assert (
            online["last_seen_at"] is not None and online["clock"]["station_clock_ms"] is not None
        )
        agent.send_signal(signal.SIGKILL)  # no goodbye: the broker publishes the will
        await asyncio.wait_for(agent.wait(), 10)
        lost = await until(when_station(server, chief, STATION, lambda s: s["condition"] == "lost"))
        assert lost["status"] == "lost" and lost["boot"] == online["boot"]
        [flag] = await until(lambda: flags(server, chief, "station_silent"))
        assert flag["subject"] == STATION and flag["device_id"] == STATION
        assert flag["detail"]["condition"] == "lost" and flag["advice"]
        report = (await server.send("GET", REPORT, token=chief)).json()
        assert {"kind": "station_silent", "count": 1, "advice": flag["advice"]} in report["flags"][
            "by_kind"
        ], "the report's weak link"
        code, out, err = await liuhen("fleet")
        assert code == 1, err  # a station lost
        assert f"{STATION:<24} LOST" in out and "queue 0, oldest pending" in out
        code, out, _ = await liuhen("fleet", "--json")
        [shown] = [s for s in json.loads(out)["stations"] if s["device_id"] == STATION]
        assert (code, shown["condition"], shown["boot"]) == (1, "lost", online["boot"])
    finally:
        if agent.returncode is None:
            agent.kill()
            await agent.wait()
    async with running_agent(mqtt_config, server_rule()):  # back, in a new boot
        await until(when_station(server, chief, STATION, lambda s: s["condition"] == "online"))
        [resolved] = await until(lambda: flags(server, chief, "station_silent", open_=False))
    assert resolved["resolved_by"] == "liuhen-ingest"
    assert await flags(server, chief, "station_silent") == []
    await until(when_station(server, chief, STATION, lambda s: s["condition"] == "offline"))
    code, out, err = await liuhen("fleet")
    assert code == 0, err
    assert f"{STATION:<24} OFFLINE" in out  # it stopped cleanly: nothing wrong


async def supervisor_at_the_command_line(server, tmp_path, capsys, monkeypatch) -> Liuhen:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    toml = server.root / "liuhen.toml"
    toml.write_text(f'[server]\ndata_dir = "{server.ctx.config.data_dir}"\n')
    liuhen = Liuhen(server, toml, capsys)
    await liuhen.as_person("qian", "supervisor")
    return liuhen


def server_rule():
    from evidence.case_number import CaseNumberRule

    return CaseNumberRule()


async def test_the_server_works_with_no_broker_and_catches_up_when_it_returns(
    server, mqtt_config, broker, rule, caplog
):
    clerk = await server.add_user("wang", "custodian")
    # The server's persistent session exists at the broker (kept across its restart), so
    # what the station replays when the broker is back waits for the server.
    await asyncio.wait_for(server.ctx.services.fleet_room.link.connected.wait(), 10)
    broker.stop()
    caplog.set_level(logging.INFO, logger="ingest.fleet.link")
    await server.reconfigure(config=server.ctx.config)  # the server starts with no broker
    camera = BodyCamera(mqtt_config.watch[0])
    await asyncio.to_thread(camera.record, started_at=NOW, seconds=1, width=320, height=240)
    async with running_agent(mqtt_config, rule) as service:
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))  # over HTTP
        shown = await fleet(server, clerk)
        assert shown["subscription"] == {"enabled": True, "connected": False}
        [unheard] = [s for s in shown["stations"] if s["device_id"] == STATION]
        assert unheard["condition"] == "unheard" and unheard["registered"]
        assert any(
            "the fleet view waits, everything else works on" in r.getMessage()
            and r.levelno == logging.WARNING
            for r in caplog.records
        )
        broker.start()
        caught_up = await until(
            when_station(
                server,
                clerk,
                STATION,
                lambda s: s["condition"] == "online" and s["events"]["received"] >= 3,
            )
        )
    assert caught_up["events"]["missed"] == 0 and caught_up["events"]["gaps"] == []
    assert (await fleet(server, clerk))["subscription"]["connected"] is True
