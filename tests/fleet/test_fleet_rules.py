"""The fleet's rules without a broker: liveness from what a station reported and when it
last spoke; the inbox over a real index (copies, gaps, retained copies and the will, bad
messages); room sessions that open once and close once; a session's verdict and the
flags it raises and resolves."""

import asyncio
import contextlib
import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from evidence.footage_span import epoch_ms
from evidence.mqtt_wire import room_topic, station_topic
from evidence.room_session import RoomSession
from evidence.telemetry import StationEvent, StationState, StationStatus
from ingest.compliance.coverage import measure
from ingest.fleet.inbox import FleetInbox
from ingest.fleet.liveness import Condition, liveness
from ingest.fleet.room_sessions import RoomSessions
from ingest.fleet.session_rules import SUPERSEDED, judgement, session_coverage, window_ms
from ingest.fleet.stations import StationBook
from storage.fleet_records import RoomSessionRecord, SessionSegment
from storage.sqlite import open_sqlite_index

NOW = datetime(2026, 3, 12, 2, 0, tzinfo=UTC)
PREFIX = "liuhen/v1"
DOCK = "dock-sjz-01"


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("status", "seen", "heard", "condition"),
    [
        (None, None, None, Condition.UNHEARD),
        ("online", ago(10), ago(60), Condition.ONLINE),
        ("online", ago(121), ago(200), Condition.SILENT),
        ("online", None, ago(5), Condition.SILENT),  # a retained online it never backed up
        ("lost", ago(30), ago(20), Condition.LOST),
        ("offline", ago(30), ago(30), Condition.OFFLINE),
        (None, ago(10), None, Condition.ONLINE),  # events, no status yet
    ],
)
def test_liveness(status, seen, heard, condition):
    assert liveness(status, seen, heard, NOW, 120).condition is condition


@pytest.mark.parametrize(
    ("status", "quiet", "flagged"),
    [("lost", 901, True), ("lost", 899, False), ("online", 901, True), ("offline", 9999, False)],
)
def test_the_silent_flag_waits_for_its_threshold(status, quiet, flagged):
    alive = liveness(status, ago(quiet), ago(quiet), NOW, 120)
    assert alive.silent_longer_than(900) is flagged


@pytest.fixture
async def index(tmp_path):
    opened = await open_sqlite_index(tmp_path / "index.sqlite3")
    yield opened
    await opened.close()


class Stopped:
    """A clock that moves only when told."""

    def __init__(self, at: datetime) -> None:
        self.now = at

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Stopped(NOW)


@pytest.fixture
def inbox(index, clock):
    rooms = RoomSessions(index.rooms, clock, 2.0, 60.0)
    return FleetInbox(PREFIX, StationBook(index.fleet, clock), rooms)


def event(boot: str, seq: int, **changes) -> StationEvent:
    return StationEvent(uuid.uuid4().hex, DOCK, boot, seq, "discovered", NOW, **changes)


async def test_events_are_kept_once_and_missed_ones_counted(index, inbox):
    topic = station_topic(PREFIX, DOCK, "events")
    boot = "a" * 32
    second = event(boot, 2)
    for message in (event(boot, 1), second, second, event(boot, 3), event(boot, 6)):
        await inbox.take(topic, message.to_bytes(), False)
    await inbox.take(topic, event("b" * 32, 4).to_bytes(), False)  # heard from its fourth on
    [first_boot, late_boot] = await index.fleet.boots()
    assert (first_boot.received, first_boot.highest_seq, first_boot.missed) == (4, 6, 2)
    assert (late_boot.received, late_boot.missed) == (1, 3)
    gaps = [(g.boot[0], g.from_seq, g.to_seq) for g in await index.fleet.gaps(DOCK)]
    assert gaps == [("a", 4, 5), ("b", 1, 3)]


async def test_pruned_events_leave_their_counts_and_no_false_gap(index, inbox, clock):
    topic = station_topic(PREFIX, DOCK, "events")
    for seq in (1, 2, 4):
        await inbox.take(topic, event("a" * 32, seq).to_bytes(), False)
        clock.advance(3600)
    assert await index.fleet.prune_events(NOW + timedelta(hours=1, minutes=30)) == 2
    assert [(g.from_seq, g.to_seq) for g in await index.fleet.gaps()] == []  # 3 is lost to it
    [boot] = await index.fleet.boots()
    assert boot.missed == 1, "the count stays"


async def test_a_retained_status_and_the_will_do_not_make_a_station_seen(index, inbox, clock):
    status = station_topic(PREFIX, DOCK, "status")
    online = StationStatus("online", DOCK, "a" * 32, "liuhen-agent/0.1.0")
    await inbox.take(status, online.to_bytes(), True)
    [record] = await index.fleet.stations()
    assert record.status == "online" and record.last_seen_at is None
    state = StationState(DOCK, "a" * 32, ago(30), {"uploading": 2}, 10, 5, 1000, None, False, None)
    await inbox.take(station_topic(PREFIX, DOCK, "state"), state.to_bytes(), True)
    [record] = await index.fleet.stations()
    assert record.last_seen_at == ago(30), "a retained state says when it was sent"
    assert record.station_clock_ms is None, "nor does it tell the station's clock"
    clock.advance(5)
    await inbox.take(status, StationStatus("lost", DOCK, "a" * 32, "x").to_bytes(), False)
    [record] = await index.fleet.stations()
    assert record.status == "lost" and record.last_seen_at == ago(30)
    clock.advance(5)
    later = StationState(
        DOCK, "b" * 32, NOW + timedelta(seconds=12), {}, 0, None, 1, None, False, None
    )
    await inbox.take(station_topic(PREFIX, DOCK, "state"), later.to_bytes(), False)
    [record] = await index.fleet.stations()
    assert record.last_seen_at == NOW + timedelta(seconds=10)
    assert record.station_clock_ms == 2000, "its clock runs two seconds ahead of the server's"


async def test_bad_messages_are_dropped_and_the_rest_kept(index, inbox, caplog):
    topic = station_topic(PREFIX, DOCK, "events")
    await inbox.take(topic, b"not json", False)
    await inbox.take(
        station_topic(PREFIX, "dock-other", "events"), event("a" * 32, 1).to_bytes(), False
    )
    await inbox.take(topic, event("a" * 32, 1).to_bytes(), False)
    assert [boot.received for boot in await index.fleet.boots()] == [1]
    assert sum("bad_message" in record.getMessage() for record in caplog.records) == 2


def session(state: str, stopped: datetime | None = None, room: str = "room-1") -> bytes:
    return RoomSession("room1-0930", room, state, ago(600), stopped, case_number="X").to_bytes()


async def test_a_session_opens_once_and_closes_once(index, inbox):
    topic = room_topic(PREFIX, "room-1")
    await inbox.take(topic, session("open"), True)
    await inbox.take(topic, session("closed", ago(60)), False)
    await inbox.take(topic, session("open"), True)  # a stale retained copy: never reopens
    await inbox.take(topic, session("closed", ago(30)), False)  # the first close stands
    await inbox.take(room_topic(PREFIX, "room-2"), session("closed", ago(1), "room-2"), False)
    kept = await index.rooms.session("room1-0930")
    assert kept is not None and (kept.state, kept.stopped_at, kept.room) == (
        "closed",
        ago(60),
        "room-1",
    )


def record(stopped: datetime | None = NOW) -> RoomSessionRecord:
    return RoomSessionRecord(
        "room1-0930",
        "room-1",
        "closed",
        ago(100),
        stopped,
        None,
        None,
        (),
        ("video",),
        "controller",
        NOW,
    )


def segment(start: float, end: float | None) -> SessionSegment:
    at = round(ago(100).timestamp() * 1000)
    ends = None if end is None else at + round(end * 1000)
    return SessionSegment("e", 1, at + round(start * 1000), ends)


@pytest.mark.parametrize(
    ("segments", "state", "raised", "resolved"),
    [
        ([], "missing", ["session_no_footage"], []),
        ([segment(0, 40), segment(60, 100)], "partial", ["session_hole"], ["session_no_footage"]),
        ([segment(0, 50), segment(51, 100)], "covered", [], ["session_hole", "session_no_footage"]),
        ([SessionSegment("e", 1, None, None)], "missing", ["session_no_footage"], []),  # not stored
    ],
)
def test_a_closed_session_is_judged_like_a_full_duty_act(segments, state, raised, resolved):
    coverage = session_coverage(record(), segments, NOW, 2.0)
    window = (round(ago(100).timestamp() * 1000), round(NOW.timestamp() * 1000))
    spans = [(s.start_ms, s.end_ms) for s in segments if s.start_ms is not None]
    assert coverage == measure(window, spans, 2000), "the acts' own rules"
    assert coverage.state == state
    verdict = judgement(record(), coverage, NOW, 2.0)
    assert [flag.kind for flag in verdict.flags] == raised
    assert sorted(r.kind for r in verdict.resolutions) == resolved
    assert [r.kind for r in verdict.superseded] == raised, "only a raised kind is superseded"
    assert all(r.by == "liuhen-ingest" for r in (*verdict.resolutions, *verdict.superseded))


def test_an_open_session_is_measured_up_to_now():
    coverage = session_coverage(record(stopped=None), [segment(0, 100)], NOW, 2.0)
    assert coverage.state == "covered"


async def test_the_fleet_tasks_stop_even_when_a_cancellation_is_swallowed():
    """Python 3.11's wait_for (inside aiomqtt) returns the result instead of raising when
    a cancellation lands as the awaited future completes: the server must stop anyway."""
    from ingest.http.app import _stopped

    async def stubborn() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # swallowed, as wait_for may
            await asyncio.sleep(60)
        await asyncio.sleep(60)

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await asyncio.wait_for(_stopped({task}), 10)
    assert task.cancelled()


async def test_a_hole_judged_again_with_other_gaps_supersedes_its_flag(index):
    """More footage arrived, not all of it: the open flag's gaps are stale, so it is
    resolved as superseded and a new one raised; judged the same again, nothing changes."""

    async def judge(segments):
        verdict = judgement(record(), session_coverage(record(), segments, NOW, 2.0), NOW, 2.0)
        await index.rooms.judged(
            "room1-0930", "partial", verdict.flags, verdict.resolutions, verdict.superseded
        )

    await judge([segment(0, 40)])
    await judge([segment(0, 40)])
    await judge([segment(0, 40), segment(50, 100)])
    await judge([segment(0, 40), segment(50, 100)])
    [stale] = await index.flags.flags("session_hole", is_open=False)
    [current] = await index.flags.flags("session_hole", is_open=True)
    assert stale.resolution == SUPERSEDED and stale.resolved_by == "liuhen-ingest"
    assert [gap["seconds"] for gap in json.loads(stale.detail)["gaps"]] == [60.0]
    assert [gap["seconds"] for gap in json.loads(current.detail)["gaps"]] == [10.0]


def test_a_sessions_window_is_in_milliseconds_as_the_spans_are():
    """One rounding for every time compared with a span: half a millisecond up, exactly
    (evidence.footage_span.epoch_ms), as recording_spans has it; not the float timestamp's."""
    start = datetime(2030, 1, 1, 0, 0, 0, 500, tzinfo=UTC)  # 0.5 ms: 1 ms, not 0
    stop = datetime(2030, 1, 1, 0, 5, 0, 2500, tzinfo=UTC)  # 2.5 ms: 3 ms, not 2
    session = dataclasses.replace(record(), started_at=start, stopped_at=stop)
    assert window_ms(session, NOW) == (epoch_ms(start), epoch_ms(stop))
    assert window_ms(session, NOW)[0] % 1000 == 1 and window_ms(session, NOW)[1] % 1000 == 3
