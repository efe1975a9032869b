"""Room sessions on the server, against a real mosquitto: the controller's session and the
real agent's segments bound to it; the server measures the session like an act whose duty
is full (its window the controller's, its footage the stored segments on the station's
clock) and flags a session with a hole, or with no footage at all, once it has closed."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from agent.states import FileState
from devices.room_controller import RoomController
from devices.room_recorder import RoomRecorder
from evidence.mqtt_wire import station_topic
from evidence.room_session import RoomSession
from evidence.strict_json import format_time
from evidence.telemetry import StationEvent
from tests.agent.conftest import all_in, running_agent, wait_for_rows
from tests.agent.mqtt.conftest import ROOM, STATION, client
from tests.builders import CASE
from tests.cli_people import Liuhen
from tests.fleet.helpers import flags, sessions, until, when_station

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)


def controller(broker) -> RoomController:
    return RoomController(
        ROOM, "127.0.0.1", broker.port, broker.passwords[ROOM], room_name="询问室1"
    )


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def test_a_room_session_with_a_recording_hole_is_flagged(
    server, mqtt_config, broker, rule, capsys, tmp_path, monkeypatch
):
    clerk = await server.add_user("wang", "custodian")
    await asyncio.wait_for(server.ctx.services.fleet_room.link.connected.wait(), 10)
    recorder = RoomRecorder(mqtt_config.rooms[0].folder)
    async with running_agent(mqtt_config, rule) as service, controller(broker) as room:
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
        opened = await room.open("room1-hole", case_number=CASE, participants=["张三"], at=at(0))
        await room.close(opened, at=at(12))
        told = when_station(server, clerk, STATION, lambda s: s["events"]["received"] >= 2)
        await until(told)  # the station knows the session: its events said so
        for name, start in (("REC_001", 0), ("REC_002", 10)):  # the recorder stopped 8 s
            await asyncio.to_thread(recorder.record_segment, name, started_at=at(start), seconds=2)
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 2))
        gap = {"start": format_time(at(2)), "end": format_time(at(10)), "seconds": 8.0}
        [hole] = await until(lambda: holes_like(server, clerk, [gap]))
    assert hole["subject"] == "room1-hole" and hole["advice"]
    assert hole["detail"]["case_number"] == CASE
    assert await flags(server, clerk, "session_no_footage") == []
    [listed] = await sessions(server, clerk)
    assert listed["session_id"] == "room1-hole" and listed["state"] == "closed"
    assert listed["coverage"]["state"] == "partial" and listed["coverage"]["gaps"] == [gap]
    assert listed["segments"] == {"stored": 2, "registered": 2}
    assert listed["participants"] == ["张三"] and listed["verdict"] == "partial"

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    toml = server.root / "liuhen.toml"
    toml.write_text(f'[server]\ndata_dir = "{server.ctx.config.data_dir}"\n')
    liuhen = Liuhen(server, toml, capsys)
    await liuhen.as_person("li", "custodian")
    code, out, err = await liuhen("sessions", "list")
    assert code == 0, err
    assert "room1-hole  room-1  closed" in out and "PARTIAL  2 of 2 segments stored" in out
    assert "GAP 8.0 s" in out


async def test_a_session_with_no_footage_is_flagged_whoever_told_of_it(server, broker):
    """One session the controller published, one the server heard of only from a station's
    events: both closed with nothing recorded."""
    clerk = await server.add_user("wang", "custodian")
    await asyncio.wait_for(server.ctx.services.fleet_room.link.connected.wait(), 10)
    async with controller(broker) as room:
        silent = await room.open("room1-silent", at=at(0))
        await room.close(silent, at=at(30))
    relayed = RoomSession("room1-relayed", ROOM, "closed", at(40), at(60), case_number=CASE)
    news = StationEvent(
        uuid.uuid4().hex, STATION, "f" * 32, 1, "session_closed", at(61), relayed.session_id,
        relayed.to_document(),
    )  # fmt: skip
    async with client(broker, STATION) as station_user:
        await station_user.publish(
            station_topic("liuhen/v1", STATION, "events"), news.to_bytes(), qos=1
        )
    found = await until(lambda: flags_for_both(server, clerk))
    assert {flag["subject"] for flag in found} == {"room1-silent", "room1-relayed"}
    listed = {s["session_id"]: s for s in await sessions(server, clerk)}
    assert listed["room1-relayed"]["heard_from"] == STATION
    assert listed["room1-silent"]["heard_from"] == "controller"
    assert all(s["coverage"]["state"] == "missing" for s in listed.values())
    only = await sessions(server, clerk, f"?case_number={CASE}")
    assert [s["session_id"] for s in only] == ["room1-relayed"]


async def flags_for_both(server, clerk):
    found = await flags(server, clerk, "session_no_footage")
    return found if len(found) == 2 else None


async def holes_like(server, clerk, gaps):
    """The open session_hole flags, once one lists ``gaps`` (judged after both segments
    were stored: one judged between them was superseded)."""
    found = await flags(server, clerk, "session_hole")
    return found if any(flag["detail"]["gaps"] == gaps for flag in found) else None
