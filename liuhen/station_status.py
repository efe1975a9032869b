"""The station's notes in ``liuhen agent status``: its alarms first (a camera's clock
drifted, a camera's digest disagreed, footage left on a camera, a room session's
recording fell short), and each file's notes beside the file (a sidecar that could not be
used, naming the file and the field). Read from the station book (agent/notes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from agent.config import AgentConfig
from agent.notes import Note, NoteKind, Notes
from agent.station_db import StationDb

__all__ = ["alarms_json", "file_notes", "load_notes", "print_station_alarms"]

_HEADINGS = {
    NoteKind.CAMERA_DIGEST: "DIGEST",
    NoteKind.CLOCK: "CLOCK",
    NoteKind.STAGING: "ON CAMERA",
    NoteKind.SESSION: "SESSION",
    NoteKind.SIDECAR: "SIDECAR",
}


async def load_notes(config: AgentConfig) -> list[Note]:
    if not config.station_path.exists():
        return []
    db = StationDb(config.station_path)
    await db.open()
    try:
        return await Notes(db).all()
    finally:
        await db.close()


def alarms_json(notes: Sequence[Note], zone: tzinfo) -> list[dict[str, Any]]:
    return [
        {
            "kind": note.kind.value,
            "subject": note.subject,
            "at": datetime.fromtimestamp(note.at, zone).isoformat(timespec="seconds"),
            "message": note.message,
        }
        for note in notes
        if note.alarm
    ]


def print_station_alarms(notes: Sequence[Note], zone: tzinfo) -> None:
    alarms = [note for note in notes if note.alarm]
    if not alarms:
        return
    print(f"{len(alarms)} station alarm(s):")
    for note in alarms:
        when = datetime.fromtimestamp(note.at, zone).isoformat(sep=" ", timespec="seconds")
        print(f"{_HEADINGS[note.kind]:9} {note.subject}  ({when})\n          {note.message}")
    print()


def file_notes(notes: Sequence[Note]) -> dict[str, list[str]]:
    """Notes about files, by the file's path."""
    found: dict[str, list[str]] = {}
    for note in notes:
        if note.kind in (NoteKind.SIDECAR, NoteKind.CAMERA_DIGEST):
            found.setdefault(note.subject, []).append(f"{note.kind.value}: {note.message}")
    return found
