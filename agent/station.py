"""The station around the pipeline: its book (agent/station_db.py), the capture context
the pipeline asks when it signs, and the loops the service runs beside its own five:

    bays    cameras docking and leaving; their footage staged    when agent.bays is set
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from agent.capture_context import StationContext
from agent.config import AgentConfig
from agent.docks.bays import Bays, FreeSpace
from agent.docks.book import DockBook
from agent.journal import Journal
from agent.notes import Notes
from agent.service import AgentService
from agent.station_db import StationDb
from agent.telemetry.outbox import Announce, Silent
from evidence.private_files import make_private_dirs

__all__ = ["Station", "open_station"]

Loop = tuple[str, Callable[[], Awaitable[None]]]


@dataclass
class Station:
    config: AgentConfig
    db: StationDb
    notes: Notes
    book: DockBook
    announce: Announce
    context: StationContext
    bays: Bays | None = None
    loops: list[Loop] = field(default_factory=list)

    async def attach(self, service: AgentService, journal: Journal) -> None:
        """Make the loops for ``service`` and hand them over."""
        config = self.config
        if config.bays:
            disk = FreeSpace(config.data_dir, config.staging_min_free_bytes)
            self.bays = Bays(config, self.book, self.notes, self.announce, disk)
            self.loops.append(("bays", self.bays.once))
        service.loops.extend(self.loops)


@asynccontextmanager
async def open_station(config: AgentConfig) -> AsyncIterator[Station]:
    db = StationDb(config.station_path)
    await db.open()
    try:
        if config.bays:
            make_private_dirs(config.staging_dir)
        announce: Announce = Silent()
        notes, book = Notes(db), DockBook(db)
        context = StationContext(book, notes, announce)
        yield Station(config, db, notes, book, announce, context)
    finally:
        await db.close()
