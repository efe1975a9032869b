"""The media sections of manifest v1: what probing found, the room session a segment
belongs to, and (in a review copy's manifest) the per-second perceptual fingerprints.

All numbers are integers (milliseconds, pixels, hertz) or exact fractions as text, so a
signed manifest never depends on how a language prints floats. Each has a range
(docs/manifest.md): durations are at most a year, because capture times are computed
from them; what FFmpeg keeps in a C int (width, height, sample rate, channels) is at most
2^31-1, so nothing a probe reports is refused; a session has at most a million segments.
A probe keeps a value out of its range as unknown (``within``, ``fraction_text``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from evidence.errors import MalformedManifest
from evidence.perceptual import ALGORITHM, SecondPrint
from evidence.ranges import INT32_MAX
from evidence.strict_json import Fields

__all__ = [
    "MAX_DURATION_MS",
    "MAX_PRINTS",
    "MAX_SESSION_INDEX",
    "MAX_START_MS",
    "MAX_STREAMS",
    "MAX_STREAM_VALUE",
    "MediaFacts",
    "Perceptual",
    "Session",
    "StreamFacts",
    "fraction_text",
    "read_media",
    "read_perceptual",
    "read_session",
]

MAX_STREAMS = 64
MAX_PRINTS = 86_400  # one per second for a day
MAX_DURATION_MS = 366 * 86_400_000  # a year: no one file is longer
MAX_START_MS = 2**62  # a stream's start, either way of zero
MAX_STREAM_VALUE = INT32_MAX  # width, height, sample rate, channels
MAX_SESSION_INDEX = 1_000_000
_FRACTION = re.compile(r"[0-9]{1,9}/[1-9][0-9]{0,8}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
STREAM_KINDS = ("video", "audio", "other")


@dataclass(frozen=True, slots=True)
class StreamFacts:
    kind: str
    codec: str | None
    width: int | None = None
    height: int | None = None
    frame_rate: str | None = None  # e.g. "30000/1001"
    variable_frame_rate: bool = False
    sample_rate: int | None = None
    channels: int | None = None
    start_ms: int | None = None
    duration_ms: int | None = None

    def to_document(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "codec": self.codec,
            "width": self.width,
            "height": self.height,
            "frame_rate": self.frame_rate,
            "variable_frame_rate": self.variable_frame_rate,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "start_ms": self.start_ms,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True, slots=True)
class MediaFacts:
    """What probing the file found. ``creation_time`` is the container's tag as written by
    the device: a claim, recorded, not trusted. ``duration_ms`` is the length measured
    (the smaller of the header's and where the packets end); ``container_duration_ms`` is
    the header's claim when it is longer, and absent from the document otherwise (so
    manifests signed before it existed read, and hash, as they were)."""

    container: str | None
    duration_ms: int | None
    creation_time: str | None
    has_video: bool
    has_audio: bool
    decodable: bool
    problem: str | None
    streams: tuple[StreamFacts, ...] = ()
    container_duration_ms: int | None = None

    def to_document(self) -> dict[str, Any]:
        document = {
            "container": self.container,
            "duration_ms": self.duration_ms,
            "creation_time": self.creation_time,
            "has_video": self.has_video,
            "has_audio": self.has_audio,
            "decodable": self.decodable,
            "problem": self.problem,
            "streams": [stream.to_document() for stream in self.streams],
        }
        if self.container_duration_ms is not None:
            document["container_duration_ms"] = self.container_duration_ms
        return document


@dataclass(frozen=True, slots=True)
class Session:
    """A room recorder's session (询问室, 听证室): its id and this segment's place in it."""

    session_id: str
    index: int

    def to_document(self) -> dict[str, Any]:
        return {"id": self.session_id, "index": self.index}


@dataclass(frozen=True, slots=True)
class Perceptual:
    """Per-second fingerprints of the original and of this derived copy, computed while
    the copy was made."""

    original: tuple[SecondPrint, ...]
    derived: tuple[SecondPrint, ...]

    def to_document(self) -> dict[str, Any]:
        return {
            "algorithm": ALGORITHM,
            "interval_seconds": 1,
            "original": [_print_document(p) for p in self.original],
            "derived": [_print_document(p) for p in self.derived],
        }


def fraction_text(numerator: int, denominator: int) -> str | None:
    """A frame rate as the manifest writes it, or None if it cannot be one (negative,
    zero denominator, more than nine digits)."""
    text = f"{numerator}/{denominator}"
    return text if _FRACTION.fullmatch(text) else None


def _print_document(print_: SecondPrint) -> list[Any]:
    return [print_.second, print_.hash.hex(), print_.quality]


def _stream(fields: Fields) -> StreamFacts:
    kind = fields.text("type", max_length=16)
    if kind not in STREAM_KINDS:
        raise MalformedManifest(f"media stream type must be one of {STREAM_KINDS}")
    frame_rate = fields.optional_text("frame_rate", max_length=32)
    if frame_rate is not None and not _FRACTION.fullmatch(frame_rate):
        raise MalformedManifest("media stream frame_rate must be a fraction like 30000/1001")
    stream = StreamFacts(
        kind=kind,
        codec=fields.optional_text("codec", max_length=64),
        width=fields.optional_integer("width", maximum=MAX_STREAM_VALUE),
        height=fields.optional_integer("height", maximum=MAX_STREAM_VALUE),
        frame_rate=frame_rate,
        variable_frame_rate=fields.boolean("variable_frame_rate"),
        sample_rate=fields.optional_integer("sample_rate", maximum=MAX_STREAM_VALUE),
        channels=fields.optional_integer("channels", maximum=MAX_STREAM_VALUE),
        start_ms=fields.optional_integer("start_ms", minimum=-MAX_START_MS, maximum=MAX_START_MS),
        duration_ms=fields.optional_integer("duration_ms", maximum=MAX_DURATION_MS),
    )
    fields.done()
    return stream


def read_media(fields: Fields | None) -> MediaFacts | None:
    if fields is None:
        return None
    streams = [_stream(item) for item in fields.section_list("streams", max_items=MAX_STREAMS)]
    media = MediaFacts(
        container=fields.optional_text("container", max_length=128),
        duration_ms=fields.optional_integer("duration_ms", maximum=MAX_DURATION_MS),
        creation_time=fields.optional_text("creation_time", max_length=64),
        has_video=fields.boolean("has_video"),
        has_audio=fields.boolean("has_audio"),
        decodable=fields.boolean("decodable"),
        problem=fields.optional_text("problem", max_length=1024),
        streams=tuple(streams),
        container_duration_ms=fields.integer_if_present(
            "container_duration_ms", maximum=MAX_DURATION_MS
        ),
    )
    fields.done()
    if media.decodable == (media.problem is not None):
        raise MalformedManifest("media.problem is set exactly when media.decodable is false")
    return media


def read_session(fields: Fields | None) -> Session | None:
    if fields is None:
        return None
    session_id = fields.text("id", max_length=128)
    if not _SESSION_ID.fullmatch(session_id):
        raise MalformedManifest("session.id is 1-128 of A-Z a-z 0-9 . _ : -")
    session = Session(session_id, fields.integer("index", minimum=1, maximum=MAX_SESSION_INDEX))
    fields.done()
    return session


def _prints(fields: Fields, key: str) -> tuple[SecondPrint, ...]:
    prints = []
    last = -1
    for item in fields.raw_list(key, max_items=MAX_PRINTS):
        if (
            not isinstance(item, list)
            or len(item) != 3
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in (item[0], item[2]))
            or not isinstance(item[1], str)
            or not _HEX64.fullmatch(item[1])
            or not last < item[0] < MAX_PRINTS
            or not 0 <= item[2] <= 100
        ):
            raise MalformedManifest(
                f"perceptual.{key} holds [second, 64-hex hash, quality 0-100] in rising seconds"
            )
        last = item[0]
        prints.append(SecondPrint(item[0], bytes.fromhex(item[1]), item[2]))
    return tuple(prints)


def read_perceptual(fields: Fields | None) -> Perceptual | None:
    if fields is None:
        return None
    fields.constant("algorithm", ALGORITHM)
    fields.constant("interval_seconds", 1)
    perceptual = Perceptual(_prints(fields, "original"), _prints(fields, "derived"))
    fields.done()
    return perceptual
