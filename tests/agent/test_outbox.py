"""The MQTT outbox (agent/telemetry/outbox.py) on a real station book: numbering per boot,
in order across boots, a bounded size whose drops show as a gap, and a cursor moved with
the event it made."""

from agent.station_db import StationDb
from agent.telemetry.outbox import Outbox
from evidence.telemetry import StationEvent


async def opened(tmp_path) -> StationDb:
    db = StationDb(tmp_path / "station.sqlite3")
    await db.open()
    return db


async def test_each_boot_numbers_its_events_from_one_and_older_ones_go_first(tmp_path):
    db = await opened(tmp_path)
    try:
        first = Outbox(db, "dock-01", max_unsent=100)
        await first.start_boot()
        await first.event("camera_docked", "BWC-1", {"bay": "bay-1"})
        await first.event("camera_undocked", "BWC-1", {"bay": "bay-1"})
        second = Outbox(db, "dock-01", max_unsent=100)  # the agent restarted, unsent
        await second.start_boot()
        await second.event("discovered", "/dock/a.mp4")
        events = [StationEvent.parse(m.payload) for m in await second.pending()]
        assert [(e.boot, e.seq, e.type) for e in events] == [
            (first.boot, 1, "camera_docked"),
            (first.boot, 2, "camera_undocked"),
            (second.boot, 1, "discovered"),
        ]
        assert len({e.event_id for e in events}) == 3
        await second.sent((await second.pending())[0].row_id)
        assert [m.leaf for m in await second.pending()] == ["events", "events"]
    finally:
        await db.close()


async def test_past_its_bound_the_oldest_unsent_go_and_the_gap_shows(tmp_path):
    db = await opened(tmp_path)
    try:
        outbox = Outbox(db, "dock-01", max_unsent=3)
        await outbox.start_boot()
        for n in range(5):
            await outbox.event("discovered", f"/dock/{n}.mp4")
        kept = [StationEvent.parse(m.payload).seq for m in await outbox.pending()]
        assert kept == [3, 4, 5]
    finally:
        await db.close()


async def test_the_cursor_moves_with_the_event(tmp_path):
    db = await opened(tmp_path)
    try:
        outbox = Outbox(db, "dock-01", max_unsent=10)
        await outbox.start_boot()
        assert await outbox.cursor("journal_events") is None
        await outbox.event("uploaded", "/dock/a.mp4", cursor=("journal_events", 41))
        assert await outbox.cursor("journal_events") == 41
    finally:
        await db.close()
