"""MQTT payloads and topics: canonical bytes that read back as themselves, strict reading
that names the field, and an access list that keeps each user to its own topics."""

from datetime import UTC, datetime

import pytest

from evidence.errors import InvalidIdentifier, MalformedMessage
from evidence.mqtt_commands import Command, CommandResult
from evidence.mqtt_wire import command_topic, mosquitto_acl, result_topic, room_topic, station_topic
from evidence.room_session import RoomSession
from evidence.telemetry import StationEvent, StationState, StationStatus

AT = datetime(2026, 3, 12, 2, 0, tzinfo=UTC)


def test_topics_live_under_one_versioned_prefix():
    assert station_topic("liuhen/v1", "dock-01", "status") == "liuhen/v1/stations/dock-01/status"
    assert command_topic("liuhen/v1", "dock-01", "pause") == "liuhen/v1/stations/dock-01/cmd/pause"
    assert (
        result_topic("liuhen/v1", "dock-01", "c-1") == "liuhen/v1/stations/dock-01/cmd/c-1/result"
    )
    assert room_topic("liuhen/v1", "room-1") == "liuhen/v1/rooms/room-1/session"
    for bad in ("+", "#", "a/b", "", "dock 01"):
        with pytest.raises(InvalidIdentifier):
            station_topic("liuhen/v1", bad, "status")
    with pytest.raises(InvalidIdentifier):
        station_topic("liuhen/#", "dock-01", "status")


@pytest.mark.parametrize(
    "document",
    [
        StationStatus("lost", "dock-01", "b1", "liuhen-agent/0.1.0"),
        StationState("dock-01", "b1", AT, {"held": 1, "ready": 2}, 10, 60, None, 5, False, None),
        StationEvent("e-1", "dock-01", "b1", 7, "camera_docked", AT, "bay-1", {"camera": "BWC-1"}),
        CommandResult("c-1", "pause", "dock-01", True, AT, duplicate=True),
        RoomSession("s-1", "room-1", "closed", AT, AT, "询问室1", None, ("张三",), ("audio",)),
    ],
)
def test_payloads_read_back_as_themselves(document):
    assert type(document).parse(document.to_bytes()) == document


def test_an_unknown_event_type_is_read_so_old_fleets_read_new_stations():
    event = StationEvent("e-2", "dock-01", "b1", 1, "battery_low", AT)
    assert StationEvent.parse(event.to_bytes()).type == "battery_low"


def test_commands_are_named_by_their_topic_and_checked():
    assert Command.parse("pause", b'{"id": "c-1", "args": {}}') == Command("c-1", "pause")
    assert Command.parse(
        "bandwidth", b'{"id": "c-2", "args": {"bytes_per_second": 1000}}'
    ).args == {"bytes_per_second": 1000}


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("reboot", b'{"id": "c-1", "args": {}}', "command"),
        ("pause", b'{"id": "../x", "args": {}}', "id"),
        ("pause", b'{"id": "c-1", "args": {"now": true}}', None),
        ("pause", b'{"id": "c-1"}', "args"),
        ("bandwidth", b'{"id": "c-1", "args": {"bytes_per_second": 0}}', "args.bytes_per_second"),
        (
            "bandwidth",
            b'{"id": "c-1", "args": {"bytes_per_second": "fast"}}',
            "args.bytes_per_second",
        ),
        ("rescan", b"not json", None),
    ],
)
def test_bad_commands_are_refused_naming_the_field(name, body, field):
    with pytest.raises(MalformedMessage) as caught:
        Command.parse(name, body)
    assert caught.value.code == "bad_message"
    assert caught.value.details.get("field") == field


@pytest.mark.parametrize(
    "change",
    [
        {"state": "closed"},  # closed without stopped_at
        {"stopped_at": "2026-03-12T01:00:00Z", "state": "closed"},  # before it started
        {"records": ["smell"]},
        {"records": []},
        {"room": "room/1"},
        {"session_id": "a b"},
    ],
)
def test_bad_room_sessions_are_refused(change):
    document = RoomSession("s-1", "room-1", "open", AT).to_document() | change
    import json

    with pytest.raises(MalformedMessage):
        RoomSession.parse(json.dumps(document).encode())


def test_the_access_list_names_each_user_and_only_its_topics():
    acl = mosquitto_acl(
        "liuhen/v1", stations=["dock-01"], rooms=["room-1"], readers=["fleet"], operators=["ops"]
    )
    blocks = {block.splitlines()[0]: block.splitlines()[1:] for block in acl.split("\n\n")[1:]}
    assert blocks["user dock-01"] == [
        "topic write liuhen/v1/stations/dock-01/status",
        "topic write liuhen/v1/stations/dock-01/state",
        "topic write liuhen/v1/stations/dock-01/events",
        "topic write liuhen/v1/stations/dock-01/cmd/+/result",
        "topic read liuhen/v1/stations/dock-01/cmd/+",
        "topic read liuhen/v1/rooms/+/session",
    ]
    assert blocks["user room-1"] == ["topic write liuhen/v1/rooms/room-1/session"]
    assert blocks["user fleet"] == ["topic read liuhen/v1/#"]
    assert "topic write liuhen/v1/stations/+/cmd/+" in blocks["user ops"]
