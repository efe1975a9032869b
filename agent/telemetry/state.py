"""The station's state for the retained ``state`` message, behind a small interface so a
richer summary can stand in (wt-reliability's ``agent/summary.py``, when it is there).

``JournalState`` is the least that answers: files by state from the journal (finished
ones left out), bytes and age of what is still to be receipted, free disk space under the
data directory, the upload rate from the journal's events, and the operator's settings.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from agent.journal import Journal
from agent.states import TERMINAL
from agent.telemetry.commands import Settings
from agent.telemetry.tailer import UploadRate
from evidence.telemetry import StationState

__all__ = ["JournalState", "StateProvider"]


class StateProvider(Protocol):
    async def snapshot(self, boot: str) -> StationState: ...


class JournalState:
    def __init__(
        self,
        journal: Journal,
        device_id: str,
        data_dir: Path,
        settings: Settings,
        rate: UploadRate,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.journal = journal
        self.device_id = device_id
        self.data_dir = data_dir
        self.settings = settings
        self.rate = rate
        self.clock = clock

    async def snapshot(self, boot: str) -> StationState:
        now = self.clock()
        pending = [row for row in await self.journal.all_files() if row.state not in TERMINAL]
        oldest = min((row.first_seen_at for row in pending), default=None)
        try:
            free: int | None = shutil.disk_usage(self.data_dir).free
        except OSError:
            free = None
        return StationState(
            device_id=self.device_id,
            boot=boot,
            at=datetime.fromtimestamp(now, UTC),
            queue=dict(Counter(row.state.value for row in pending)),
            bytes_pending=sum(row.observation.size for row in pending),
            oldest_pending_seconds=None if oldest is None else max(0, round(now - oldest)),
            disk_free_bytes=free,
            upload_bytes_per_second=self.rate.bytes_per_second(),
            paused=self.settings.paused,
            bandwidth_bytes_per_second=self.settings.bandwidth,
        )
