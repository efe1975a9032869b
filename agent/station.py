"""The station around the pipeline: its book (agent/station_db.py), the capture context
the pipeline asks when it signs, and the loops the service runs beside its own five:

    bays    cameras docking and leaving; their footage staged    when agent.bays is set
    rooms   room sessions against their recorders' footage       when agent.rooms is set
    mqtt    the broker connection: status, state, outbox, commands   when agent.mqtt.enabled
    tell    the journal's file events into the outbox                 likewise

MQTT is advisory: with the broker away the other loops run as ever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from agent.capture_context import StationContext
from agent.config import AgentConfig
from agent.disk import Space
from agent.docks.bays import Bays
from agent.docks.book import DockBook
from agent.journal import Journal
from agent.manifests import SOFTWARE
from agent.notes import Notes
from agent.rooms.sessions import RoomSessions
from agent.service import AgentService
from agent.station_db import StationDb
from agent.telemetry.commands import Commands, PolicyBandwidth
from agent.telemetry.link import Link
from agent.telemetry.outbox import Announce, Outbox, Silent
from agent.telemetry.state import SummaryState
from agent.telemetry.tailer import JournalTail
from runtime.private_files import make_private_dirs

__all__ = ["Station", "open_station"]

Loop = tuple[str, Callable[[], Awaitable[None]]]


@dataclass
class Station:
    config: AgentConfig
    db: StationDb
    notes: Notes
    book: DockBook
    announce: Announce
    outbox: Outbox | None
    rooms: RoomSessions | None
    context: StationContext
    bays: Bays | None = None
    commands: Commands | None = None
    link: Link | None = None
    loops: list[Loop] = field(default_factory=list)

    async def attach(self, service: AgentService, journal: Journal) -> None:
        """Make the loops for ``service`` and hand them over; restore what the operator set."""
        config = self.config
        if config.bays:
            # the service's disk watch (agent/disk.py): under pressure, footage stays on cameras
            self.bays = Bays(config, self.book, self.notes, self.announce, service.disk)
            self.loops.append(("bays", self.bays.once))
            service.settled.append(self.bays.settled)
        if self.rooms is not None:
            self.loops.append(("rooms", self.rooms.once))
        if self.outbox is not None:
            await self._attach_mqtt(service, journal, self.outbox)
        service.loops.extend(self.loops)

    async def _attach_mqtt(self, service: AgentService, journal: Journal, outbox: Outbox) -> None:
        config = self.config
        bays = self.bays

        class Controls:
            """The service, and the bays: a rescan looks at them too."""

            pause, resume = service.pause, service.resume

            @staticmethod
            def rescan_now() -> None:
                service.rescan_now()
                if bays is not None:
                    bays.wake.set()

        bandwidth = PolicyBandwidth(service.policy)
        self.commands = Commands(self.db, config.device_id, Controls(), bandwidth, outbox)
        await self.commands.restore()
        settings = self.commands.settings
        state = SummaryState(journal, config.device_id, service.disk, service.policy, settings)
        rooms = self.rooms.handlers() if self.rooms is not None else {}
        self.link = Link(
            config.mqtt, config.device_id, SOFTWARE, outbox, state, self.commands.handle, rooms
        )
        tail = JournalTail(journal, outbox)
        await tail.start()
        self.loops += [("mqtt", self.link.once), ("tell", tail.once)]
        service.disk_low.append(self._tell_disk_low)

    async def _tell_disk_low(self, low: Sequence[Space]) -> None:
        spaces = [{"path": str(s.path), "free_bytes": s.free, "total_bytes": s.total} for s in low]
        await self.announce.event("disk_low", None, {"during": "watching", "file_systems": spaces})


@asynccontextmanager
async def open_station(config: AgentConfig) -> AsyncIterator[Station]:
    db = StationDb(config.station_path)
    await db.open()
    try:
        if config.bays:
            make_private_dirs(config.staging_dir)
        outbox = None
        if config.mqtt.enabled:
            outbox = Outbox(db, config.device_id, max_unsent=config.mqtt.outbox_max_events)
            await outbox.start_boot()
        announce: Announce = outbox or Silent()
        notes, book = Notes(db), DockBook(db)
        rooms = RoomSessions(config, db, notes, announce) if config.rooms else None
        context = StationContext(book, notes, announce, rooms)
        yield Station(config, db, notes, book, announce, outbox, rooms, context)
    finally:
        await db.close()
