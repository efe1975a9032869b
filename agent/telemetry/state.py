"""The station's state for the retained ``state`` message, behind a small interface.

``SummaryState`` reads it from the agent's own summary (agent/summary.py, what ``liuhen
agent status`` opens with), its disk watch (agent/disk.py) and its upload policy
(agent/policy.py): files by state (finished ones left out: a queue), bytes the server has
not committed yet, the oldest pending file's age, free space on the data directory's file
system, the upload rate now, whether an operator paused it, and the cap in force.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from agent.disk import DiskWatch
from agent.journal import Journal
from agent.policy import UploadPolicy
from agent.states import TERMINAL, FileState
from agent.summary import summarize
from agent.telemetry.commands import Settings
from evidence.telemetry import StationState

__all__ = ["StateProvider", "SummaryState"]


class StateProvider(Protocol):
    async def snapshot(self, boot: str) -> StationState: ...


class SummaryState:
    def __init__(
        self,
        journal: Journal,
        device_id: str,
        disk: DiskWatch,
        policy: UploadPolicy,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.journal = journal
        self.device_id = device_id
        self.disk = disk
        self.policy = policy
        self.settings = settings
        self.clock = clock

    async def snapshot(self, boot: str) -> StationState:
        now = self.clock()
        summary = summarize(await self.journal.all_files(), now, self.disk.spaces, self.disk.low)
        oldest = summary.oldest_pending_at
        rate, cap = summary.upload_rate, self.policy.rate()
        return StationState(
            device_id=self.device_id,
            boot=boot,
            at=datetime.fromtimestamp(now, UTC),
            queue={
                state: count
                for state, count in summary.queue.items()
                if FileState(state) not in TERMINAL
            },
            bytes_pending=summary.pending_bytes,
            oldest_pending_seconds=None if oldest is None else max(0, round(now - oldest)),
            disk_free_bytes=summary.disk[0].free if summary.disk else None,
            upload_bytes_per_second=round(rate) if rate else None,
            paused=self.settings.paused,
            bandwidth_bytes_per_second=None if cap is None else round(cap),
        )
