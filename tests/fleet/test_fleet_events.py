"""Events through a real mosquitto to the real server, published as the station's own
user: copies are dropped by event id (and by their place in a boot), gaps in a boot's
sequence are noticed and listed, a camera's clock is kept from camera_docked, and a
message that is not what its topic carries is dropped without stopping the rest."""

import asyncio
import uuid
from datetime import UTC, datetime

from evidence.mqtt_wire import station_topic
from evidence.telemetry import StationEvent
from tests.agent.mqtt.conftest import STATION, client
from tests.fleet.helpers import station, until, when_station

EVENTS = station_topic("liuhen/v1", STATION, "events")
NOW = datetime.now(UTC).replace(microsecond=0)


def event(boot: str, seq: int, kind: str = "discovered", **detail) -> StationEvent:
    subject = "BWC-00042" if kind == "camera_docked" else f"/dock/{seq}.MP4"
    return StationEvent(uuid.uuid4().hex, STATION, boot, seq, kind, NOW, subject, detail)


async def test_copies_are_dropped_and_gaps_noticed(server, broker):
    clerk = await server.add_user("wang", "custodian")
    await asyncio.wait_for(server.ctx.services.fleet_room.link.connected.wait(), 10)
    boot, later = "a" * 32, "b" * 32
    first, second = event(boot, 1), event(boot, 2)
    same_place = StationEvent(uuid.uuid4().hex, STATION, boot, 2, "uploaded", NOW, None, {})
    docked = event(
        boot,
        5,
        "camera_docked",
        bay="bay-1",
        files=2,
        clock={
            "camera_offset_ms": 180250,
            "measured_at": "2026-03-12T02:05:00Z",
            "method": "sidecar_clock",
        },
    )
    sent = [first, second, second, same_place, docked, event(later, 1), event(later, 2)]
    async with client(broker, STATION) as station_user:
        for message in sent:
            await station_user.publish(EVENTS, message.to_bytes(), qos=1)
        await station_user.publish(EVENTS, b'{"not": "an event"}', qos=1)
        await station_user.publish(EVENTS, event(later, 3).to_bytes(), qos=1)
    shown = await until(
        when_station(server, clerk, STATION, lambda s: s["events"]["received"] >= 6)
    )
    events = shown["events"]
    assert (events["received"], events["missed"], events["boots"]) == (6, 2, 2)
    assert events["gaps"] == [{"boot": boot, "from_seq": 3, "to_seq": 4}]
    assert shown["clock"]["camera_drift_ms"] == 180250
    assert shown["clock"]["cameras"][0]["camera"] == "BWC-00042"
    await asyncio.sleep(0.5)  # anything counted twice would be here by now
    assert (await station(server, clerk, STATION))["events"]["received"] == 6


async def test_a_station_cannot_speak_for_another(server, broker):
    """The access list keeps a station to its own topics; a payload naming another
    station than its topic is dropped by the server too."""
    clerk = await server.add_user("wang", "custodian")
    await asyncio.wait_for(server.ctx.services.fleet_room.link.connected.wait(), 10)
    other = station_topic("liuhen/v1", "dock-other", "events")
    async with client(broker, STATION) as station_user:
        await station_user.publish(other, event("c" * 32, 1).to_bytes(), qos=1)  # refused
    async with client(broker, "dock-other") as other_user:
        await other_user.publish(other, event("d" * 32, 1).to_bytes(), qos=1)  # names STATION
        fine = StationEvent(uuid.uuid4().hex, "dock-other", "e" * 32, 1, "disk_low", NOW)
        await other_user.publish(other, fine.to_bytes(), qos=1)
    shown = await until(
        when_station(server, clerk, "dock-other", lambda s: s["events"]["received"] >= 1)
    )
    assert shown["events"]["received"] == 1 and not shown["registered"]
    assert await station(server, clerk, STATION) is None, "its publish was refused: unheard"
