"""Hear about files in the watched folders: watchdog events as they happen, and a full
rescan on a timer, because watchdog drops events on overflow or unmount."""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import (
    FileClosedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

__all__ = ["Sighting", "Watcher", "is_ignored", "walk"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Sighting:
    path: Path
    closed: bool  # the writer closed it, or it was moved into place


def is_ignored(path: Path, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(path.name, pattern) for pattern in patterns)


def walk(roots: Sequence[Path], patterns: Sequence[str]) -> Iterator[Path]:
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = Path(folder) / name
                if not is_ignored(path, patterns):
                    yield path


class _Forward(FileSystemEventHandler):
    """Runs on watchdog's thread; hands each sighting to the event loop."""

    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        if isinstance(event, FileMovedEvent):
            self._watcher.post(Path(os.fsdecode(event.dest_path)), closed=True)
        elif isinstance(event, FileClosedEvent):
            self._watcher.post(Path(os.fsdecode(event.src_path)), closed=True)
        elif isinstance(event, FileCreatedEvent | FileModifiedEvent):
            self._watcher.post(Path(os.fsdecode(event.src_path)), closed=False)


class Watcher:
    def __init__(
        self, roots: Sequence[Path], patterns: Sequence[str], capacity: int = 10_000
    ) -> None:
        self.roots = list(roots)
        self.patterns = list(patterns)
        self.sightings: asyncio.Queue[Sighting] = asyncio.Queue(capacity)
        self.overflowed = asyncio.Event()  # set when a sighting was dropped: rescan now
        self._loop = asyncio.get_running_loop()
        self._observer: BaseObserver | None = None

    def post(self, path: Path, closed: bool) -> None:
        if not is_ignored(path, self.patterns):
            self._loop.call_soon_threadsafe(self._put, Sighting(path, closed))

    def _put(self, sighting: Sighting) -> None:
        try:
            self.sightings.put_nowait(sighting)
        except asyncio.QueueFull:
            self.overflowed.set()

    def start(self) -> None:
        observer = Observer()
        for root in self.roots:  # each checked at start (agent/bays.py): none is created
            observer.schedule(_Forward(self), str(root), recursive=True)
        observer.daemon = True
        observer.start()
        self._observer = observer
        log.info("watching %s", ", ".join(str(root) for root in self.roots))

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
