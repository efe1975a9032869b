"""The file on the dock as the pipeline reads it: its stat, the dock's sidecar beside it,
its fingerprint; and the way back to ``discovered`` when it changed under the pipeline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from agent import failpoints
from agent.completeness import Observation
from agent.fingerprinting import feed_file_two_threads, fingerprint_two_threads
from agent.journal import FileRow, Journal
from agent.states import FileState
from devices.sidecar import Sidecar
from devices.sidecars import FoundSidecar, load_sidecar
from evidence.digest import Fingerprint, StreamingFingerprint

__all__ = ["back_to_discovered", "fingerprint_file", "found_sidecar", "observe_file", "sidecar_of"]

log = logging.getLogger("agent.pipeline")  # the pipeline's lines, as before the split


def found_sidecar(path: Path) -> FoundSidecar | None:
    """The dock's sidecar beside ``path``, of either shape; its problem is logged."""
    found = load_sidecar(path)
    if found is not None and found.problem is not None:
        log.warning(
            "%s: not using sidecar %s: %s", path.name, found.path.name, found.problem.message
        )
    return found


def sidecar_of(path: Path) -> Sidecar | None:
    """The dock's sidecar beside ``path``; None when there is none or it is unusable."""
    found = found_sidecar(path)
    return None if found is None else found.sidecar


def observe_file(path: Path) -> Observation:
    stat = path.stat()
    return Observation(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class _Watched(StreamingFingerprint):
    """A fingerprint that passes the hashing failpoint with each block it is fed."""

    def update_chunks(self, data: bytes | bytearray | memoryview) -> list[int]:
        failpoints.hit(failpoints.WHILE_HASHING)
        return super().update_chunks(data)


def fingerprint_file(path: Path) -> Fingerprint:
    if failpoints.armed(failpoints.WHILE_HASHING):
        return feed_file_two_threads(_Watched(), path).finish()
    return fingerprint_two_threads(path)


async def back_to_discovered(
    journal: Journal, row: FileRow, seen: Observation, clock: Callable[[], float]
) -> FileRow:
    """The file changed while being processed: the settle loop's again, as now seen."""
    log.info("%s changed while being processed; waiting for it to settle", row.path.name)
    return await journal.move(
        row,
        FileState.DISCOVERED,
        clock(),
        "changed",
        sha256=None,  # of bytes no longer there: no copy may be called a duplicate of them
        size=seen.size,
        mtime_ns=seen.mtime_ns,
        inode=seen.inode,
        unchanged_since=clock(),
        closed=0,
    )
