"""When a pipeline step finds its file gone from the dock: renamed, and the row follows
it (agent/journal_identity.py), or vanished, an alarm. The journal may have heard of the
rename already (a watch event, a rescan); if not, the file is looked for in its folder
(agent/renames.py) before it is called lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from agent.file_row import FileRow
from agent.journal import Journal
from agent.renames import find_in_folder
from agent.states import NEEDS_FILE, FileState
from evidence.identifiers import Role

__all__ = ["file_gone"]

log = logging.getLogger("agent.pipeline")


async def file_gone(
    journal: Journal, row: FileRow, ignore: Sequence[str], clock: Callable[[], float]
) -> FileRow:
    """``row`` under its new name if its file was renamed, else ``vanished``."""
    renamed = await _renamed(journal, row, ignore, clock())
    if renamed is not None:
        return renamed
    return await _vanished(journal, await journal.get(row.id), clock())


async def _renamed(
    journal: Journal, row: FileRow, ignore: Sequence[str], now: float
) -> FileRow | None:
    current = await journal.get(row.id)
    if current.path != row.path:
        return current
    if current.role is not Role.ORIGINAL or current.state not in NEEDS_FILE:
        return None
    found = await asyncio.to_thread(find_in_folder, current.path, current.observation, ignore)
    renamed = None if found is None else await journal.rename(current, found, now)
    if renamed is not None:
        log.info("%s was renamed %s; it goes on under its new name", row.path, renamed.path.name)
    return renamed


async def _vanished(journal: Journal, row: FileRow, now: float) -> FileRow:
    if row.state not in NEEDS_FILE:
        raise AssertionError(f"{row.state} does not read the file")
    if row.role is not Role.ORIGINAL:
        log.warning("%s of %s: its file is gone; no %s", row.role, row.evidence_id, row.role)
        return await journal.move(row, FileState.VANISHED, now, "source gone")
    log.error("FOOTAGE LOST ON THE DOCK: %s disappeared before the server receipted it", row.path)
    return await journal.move(row, FileState.VANISHED, now, "file disappeared")
