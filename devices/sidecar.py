"""Dock sidecar metadata: what the camera knew, in a small file beside each recording.

Two shapes carry the same facts (docs/sidecar.md): the JSON one read here, and an XML one
modelled on what 采集站 vendors export (``devices/sidecar_xml.py``). Either is found as
``<recording>.<ext>`` or ``<stem>.<ext>``. Every field is optional; unknown fields (GPS,
battery…) are ignored; a field that breaks its rule makes the whole sidecar unusable, with
an error naming the file and the field, and the agent then falls back to its configured
defaults: footage is never held back for bad metadata.

Fields: the device's model and serial, the officer, the case number, the place, what it
proves, its start and end, the important mark (重要标记), the device's own digest of the
file (完整性校验值), and the camera's clock read at docking (with the station's clock at the
same moment, when the dock wrote it): see devices/clock.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence.errors import MalformedBody
from evidence.manifest_dock import DIGEST_ALGORITHMS
from evidence.manifest_media import MAX_SESSION_INDEX
from evidence.ranges import time_in_range
from evidence.strict_json import format_time, loads_object, parse_time

__all__ = [
    "MAX_SIDECAR_BYTES",
    "SIDECAR_SUFFIXES",
    "TEXT_FIELDS",
    "BadSidecar",
    "CheckValue",
    "Sidecar",
    "check_value",
    "find_sidecar",
    "find_transcript",
    "read_bounded",
    "read_sidecar",
    "sidecar_shape",
    "text_value",
    "time_value",
    "write_sidecar",
]

MAX_SIDECAR_BYTES = 64 * 1024
SIDECAR_SUFFIXES = (".json", ".xml", ".XML")
TEXT_FIELDS = (
    "device_model",
    "device_serial",
    "officer_id",
    "officer_name",
    "case_number",
    "place",
    "proves",
    "session_id",
)
TIME_FIELDS = ("started_at", "ended_at", "camera_clock", "station_clock")


class BadSidecar(MalformedBody):
    code = "bad_sidecar"


@dataclass(frozen=True, slots=True)
class CheckValue:
    """The device's own digest of the file: a claim the agent checks against its own."""

    algorithm: str  # "md5" or "sha256"
    value: str  # lowercase hex


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
    important: bool = False  # the officer marked it (重要标记)
    check_value: CheckValue | None = None
    camera_clock: datetime | None = None  # the camera's clock when the dock read it
    station_clock: datetime | None = None  # the station's clock at that moment, if written


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
    """``<name>.json``, ``<stem>.json``, then the same with ``.xml`` (or ``.XML``)."""
    for suffix in SIDECAR_SUFFIXES:
        for candidate in (media.with_name(media.name + suffix), media.with_suffix(suffix)):
            if candidate != media and candidate.is_file():
                return candidate
    return None


def sidecar_shape(path: Path) -> str:
    return "xml" if path.suffix.lower() == ".xml" else "json"


def read_bounded(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            body = handle.read(MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        raise BadSidecar(
            f"cannot read sidecar {path.name}: {exc.strerror}", file=path.name
        ) from exc
    if len(body) > MAX_SIDECAR_BYTES:
        raise BadSidecar(
            f"sidecar {path.name} is larger than {MAX_SIDECAR_BYTES} bytes", file=path.name
        )
    return body


def read_sidecar(path: Path) -> Sidecar:
    """Read the JSON shape. Every error names the file, and the field when there is one."""
    data = loads_object(read_bounded(path), BadSidecar, f"sidecar {path.name}")
    try:
        return _from_json(data)
    except BadSidecar as exc:
        raise BadSidecar(
            f"sidecar {path.name}: {exc.message}", file=path.name, **exc.details
        ) from None


def _from_json(data: dict[str, Any]) -> Sidecar:
    values: dict[str, Any] = {name: text_value(name, data.get(name)) for name in TEXT_FIELDS}
    values.update({name: time_value(name, data.get(name)) for name in TIME_FIELDS})
    important = data.get("important", False)
    if not isinstance(important, bool):
        raise BadSidecar("field important must be true or false", field="important")
    found = data.get("check_value")
    if found is not None and not isinstance(found, dict):
        raise BadSidecar("field check_value must be an object", field="check_value")
    digest = None if found is None else check_value(found.get("algorithm"), found.get("value"))
    segment = _segment(data.get("segment"))
    if (values["session_id"] is None) != (segment is None):
        raise BadSidecar("fields session_id and segment come together", field="segment")
    return Sidecar(**values, segment=segment, important=important, check_value=digest)


def _segment(segment: Any) -> int | None:
    if segment is not None and (
        not isinstance(segment, int)
        or isinstance(segment, bool)
        or not 1 <= segment <= MAX_SESSION_INDEX
    ):
        raise BadSidecar(
            f"field segment must be a whole number from 1 to {MAX_SESSION_INDEX}",
            field="segment",
        )
    return segment


def text_value(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 1024:
        raise BadSidecar(f"field {name} must be non-empty text", field=name)
    return value.strip()


def time_value(name: str, value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = parse_time(value.strip())
        except ValueError:
            pass
        else:
            if time_in_range(moment):
                return moment
    raise BadSidecar(
        f"field {name} must be an RFC 3339 time with offset, from 1900 to 9000", field=name
    )


def check_value(algorithm: Any, value: Any, field: str = "check_value") -> CheckValue:
    """``algorithm`` md5 or sha256 (any case, SHA-256 too); ``value`` hex of its length."""
    name = algorithm.lower().replace("-", "") if isinstance(algorithm, str) else None
    length = DIGEST_ALGORITHMS.get(name or "")
    text = value.strip().lower() if isinstance(value, str) else ""
    if name is None or length is None:
        raise BadSidecar(f"field {field} must name md5 or sha256", field=field)
    if len(text) != length or any(ch not in "0123456789abcdef" for ch in text):
        raise BadSidecar(f"field {field} must be {length} hex digits for {name}", field=field)
    return CheckValue(name, text)


def write_sidecar(path: Path, sidecar: Sidecar) -> None:
    document: dict[str, Any] = {}
    for item in fields(sidecar):
        value = getattr(sidecar, item.name)
        if value is None or (item.name == "important" and not value):
            continue
        if isinstance(value, datetime):
            value = format_time(value)
        elif isinstance(value, CheckValue):
            value = {"algorithm": value.algorithm, "value": value.value}
        document[item.name] = value
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
