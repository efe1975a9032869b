"""Interview and hearing rooms over a real mosquitto: the room controller opens and closes
sessions, the room's recorder writes segments that know no session, and the agent binds
them, in order, in their signed manifests; a session with no footage, and one whose
recording stopped while it was open, are alarms and events."""

import asyncio
import re
from datetime import UTC, datetime

from agent.states import FileState
from devices.room_controller import RoomController
from devices.room_recorder import RoomRecorder
from evidence.manifest import Manifest
from evidence.mqtt_wire import station_topic
from evidence.telemetry import StationEvent
from liuhen.cli import main
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.agent.mqtt.conftest import ROOM, STATION, listening

EVENTS = station_topic("liuhen/v1", STATION, "events")
CASE = "冀石执罚〔2026〕第0012号"


def controller(broker) -> RoomController:
    return RoomController(
        ROOM, "127.0.0.1", broker.port, broker.passwords[ROOM], room_name="询问室1"
    )


def told(heard, kind: str) -> list[StationEvent]:
    return [e for e in map(StationEvent.parse, heard.on(EVENTS)) if e.type == kind]


async def test_a_recorders_segments_are_bound_to_the_controllers_session(mqtt_config, broker, rule):
    recorder = RoomRecorder(mqtt_config.rooms[0].folder, room="询问室1")
    async with (
        listening(broker, EVENTS) as heard,
        running_agent(mqtt_config, rule) as service,
        controller(broker) as room,
    ):
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
        session = await room.open("room1-20260312-0930", case_number=CASE, participants=["张三"])
        await heard.wait(lambda: told(heard, "session_opened"))
        for n in (1, 2):
            start = datetime.now(UTC)
            await asyncio.to_thread(
                recorder.record_segment, f"REC_{n:03d}", started_at=start, hue=60 + n
            )  # other footage: the same bytes would be one recording
        await room.close(session)
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 2))
        await heard.wait(lambda: told(heard, "session_closed"))
        await asyncio.sleep(2.5)  # judged for good once the grace has passed
    bound = sorted(
        (row.path.name, Manifest.parse(row.manifest, rule).session) for row in originals(rows)
    )
    assert [(name, s.session_id, s.index) for name, s in bound] == [
        ("REC_001.mp4", "room1-20260312-0930", 1),
        ("REC_002.mp4", "room1-20260312-0930", 2),
    ]
    [opened] = told(heard, "session_opened")
    assert opened.detail["case_number"] == CASE and opened.detail["participants"] == ["张三"]
    assert not told(heard, "session_no_footage") and not told(heard, "session_recording_stopped")


async def test_sessions_whose_recording_fell_short_are_alarms(mqtt_config, broker, rule, capsys):
    recorder = RoomRecorder(mqtt_config.rooms[0].folder)
    async with (
        listening(broker, EVENTS) as heard,
        running_agent(mqtt_config, rule) as service,
        controller(broker) as room,
    ):
        await asyncio.wait_for(service.station.link.connected.wait(), 10)
        silent = await room.open("room1-silent")
        await room.close(silent)
        stopping = await room.open("room1-stopping")
        await asyncio.to_thread(recorder.record_segment, "REC_010", started_at=datetime.now(UTC))
        await heard.wait(lambda: told(heard, "session_recording_stopped"), within=10)
        await heard.wait(lambda: told(heard, "session_no_footage"), within=10)
        await room.close(stopping)
    [nothing] = told(heard, "session_no_footage")
    [stopped] = told(heard, "session_recording_stopped")
    assert (nothing.subject, stopped.subject) == ("room1-silent", "room1-stopping")
    assert "while the session is open" in stopped.detail["message"]
    toml = mqtt_config.data_dir.parent / "dock.toml"
    toml.write_text(f'[agent]\ndata_dir = "{mqtt_config.data_dir}"\n')
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["--config", str(toml), "agent", "status"]) == 0
    out = capsys.readouterr().out
    assert re.search(
        r"SESSION   session room1-silent .*\n +room-1: the session produced no footage", out
    )
    assert "SESSION   session room1-stopping" in out
