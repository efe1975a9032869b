"""Dock-style sidecar metadata: a small JSON file beside each recording.

A dock writes ``<recording>.json`` or ``<stem>.json`` with what the camera knew: its
model and serial, the officer, and (if the officer entered them) the case number, the
place and what the recording proves. Every field is optional, and unknown fields (GPS,
battery…) are ignored; a field of the wrong type makes the whole sidecar unusable, and
the agent then falls back to its configured defaults. See docs/sidecar.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence.errors import MalformedBody
from evidence.manifest_media import MAX_SESSION_INDEX
from evidence.ranges import time_in_range
from evidence.strict_json import format_time, loads_object, parse_time

__all__ = [
    "MAX_SIDECAR_BYTES",
    "BadSidecar",
    "Sidecar",
    "find_sidecar",
    "read_sidecar",
    "write_sidecar",
]

MAX_SIDECAR_BYTES = 64 * 1024
_TEXT_FIELDS = (
    "device_model",
    "device_serial",
    "officer_id",
    "officer_name",
    "case_number",
    "place",
    "proves",
    "session_id",
)


class BadSidecar(MalformedBody):
    code = "bad_sidecar"


@dataclass(frozen=True, slots=True)
class Sidecar:
    device_model: str | None = None
    device_serial: str | None = None
    officer_id: str | None = None
    officer_name: str | None = None
    case_number: str | None = None
    place: str | None = None
    proves: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    session_id: str | None = None  # room recorders: the session this segment belongs to
    segment: int | None = None  # and its place in it, from 1
    important: bool | None = None  # the officer marked it (a camera's "important" key)


TRANSCRIPT_SUFFIX = ".transcript.txt"


def find_transcript(media: Path) -> Path | None:
    """The text record of what is said (R5), kept beside the recording by convention as
    ``<stem>.transcript.txt`` or ``<name>.transcript.txt``."""
    for candidate in (
        media.with_suffix(TRANSCRIPT_SUFFIX),
        media.with_name(media.name + TRANSCRIPT_SUFFIX),
    ):
        if candidate.is_file():
            return candidate
    return None


def find_sidecar(media: Path) -> Path | None:
    for candidate in (media.with_name(media.name + ".json"), media.with_suffix(".json")):
        if candidate != media and candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> Sidecar:
    try:
        with open(path, "rb") as handle:
            body = handle.read(MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        raise BadSidecar(f"cannot read sidecar {path.name}: {exc.strerror}") from exc
    if len(body) > MAX_SIDECAR_BYTES:
        raise BadSidecar(f"sidecar {path.name} is larger than {MAX_SIDECAR_BYTES} bytes")
    data = loads_object(body, BadSidecar, f"sidecar {path.name}")
    texts = {name: _text(data, name) for name in _TEXT_FIELDS}
    segment = data.get("segment")
    if segment is not None and (
        not isinstance(segment, int)
        or isinstance(segment, bool)
        or not 1 <= segment <= MAX_SESSION_INDEX
    ):
        raise BadSidecar(
            f"sidecar field segment must be a whole number from 1 to {MAX_SESSION_INDEX}",
            field="segment",
        )
    if (texts["session_id"] is None) != (segment is None):
        raise BadSidecar("sidecar fields session_id and segment come together", field="segment")
    important = data.get("important")
    if important is not None and not isinstance(important, bool):
        raise BadSidecar("sidecar field important must be true or false", field="important")
    return Sidecar(
        **texts,
        started_at=_time(data, "started_at"),
        ended_at=_time(data, "ended_at"),
        segment=segment,
        important=important,
    )


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 1024:
        raise BadSidecar(f"sidecar field {name} must be non-empty text", field=name)
    return value.strip()


def _time(data: dict[str, Any], name: str) -> datetime | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = parse_time(value)
        except ValueError:
            pass
        else:
            if time_in_range(moment):
                return moment
    raise BadSidecar(
        f"sidecar field {name} must be an RFC 3339 time with offset, from 1900 to 9000",
        field=name,
    )


def write_sidecar(path: Path, sidecar: Sidecar) -> None:
    document = {
        key: (format_time(value) if isinstance(value, datetime) else value)
        for key, value in asdict(sidecar).items()
        if value is not None
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
