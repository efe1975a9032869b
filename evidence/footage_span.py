"""What a recording covers, and what was claimed about it.

A recording covers what its media holds: ``[start, start + probed duration)``, where the
start is the manifest's signed ``capture.started_at`` and the duration the one the agent
probed and signed into ``media.duration_ms`` (where its packets end, if sooner than its
header says). Footage whose length could not be measured (no media section, no
duration, a duration over a year, or ``decodable: false``) covers nothing: its end is
unknown and its span is the point at its start.

Everything else about the time is a claim, kept and compared, never used as coverage:
the end the device claims (``capture.ended_at``, from the dock's sidecar), the
container's ``creation_time`` tag, which claims when the file was started, and the
length its header claims where the packets end sooner (``media.container_duration_ms``).
A claim that differs from the measurement by more than a tolerance is a disagreement;
which ones there are, ``FootageSpan.disagreements`` says.

What coverage reads is the span in whole milliseconds since the epoch on the station's
clock (``station_span_ms``): each time rounded to the millisecond, half a millisecond up
(``epoch_ms``), then moved by the offset its dock measured (camera minus station). The
index keeps it as ``recording_spans`` (storage/sqlite/schema.sql); this is the reference
it is checked against (tests/storage/test_rules_agree.py). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from evidence.errors import MalformedManifest
from evidence.manifest_media import MAX_DURATION_MS, MediaFacts, read_media
from evidence.ranges import time_in_range
from evidence.strict_json import Fields, loads_object

__all__ = [
    "FootageSpan",
    "claimed_start",
    "epoch_ms",
    "footage_of",
    "footage_of_body",
    "measured_ms",
    "station_span_ms",
    "stored_fields",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def measured_ms(media: MediaFacts | None) -> int | None:
    """The probed length in milliseconds, or None when it was not measured: no media
    section, no duration, media that does not decode (its header's length is a claim the
    frames do not back), or a length over a year (``MAX_DURATION_MS``), which a manifest
    signed before that range existed may hold from a broken file's header."""
    if media is None or not media.decodable or media.duration_ms is None:
        return None
    return media.duration_ms if media.duration_ms <= MAX_DURATION_MS else None


def claimed_start(creation_time: str | None) -> datetime | None:
    """The container's ``creation_time`` tag as a time, or None when there is none, it is
    no time with a zone (FFmpeg writes MP4 tags as UTC with a Z; a tag without a zone is
    ambiguous and claims nothing comparable), or it lies outside 1900-9000: a device can
    write any tag, and a year 1 or 9999 one cannot even be moved to UTC."""
    if creation_time is None:
        return None
    try:
        moment = datetime.fromisoformat(creation_time.strip())
    except ValueError:
        return None
    if moment.tzinfo is None or not time_in_range(moment):
        return None
    return moment


@dataclass(frozen=True, slots=True)
class FootageSpan:
    started_at: datetime  # the signed capture start: the anchor
    measured_ms: int | None  # the probed length; None: not measured, covers nothing
    claimed_started_at: datetime | None  # the container's creation_time tag
    claimed_ended_at: datetime | None  # the end the device claims (capture.ended_at)
    container_ms: int | None = None  # the length the container's header claims, if longer

    @classmethod
    def of(
        cls, started_at: datetime, claimed_ended_at: datetime | None, media: MediaFacts | None
    ) -> FootageSpan:
        creation_time = None if media is None else media.creation_time
        if claimed_ended_at is not None and not time_in_range(claimed_ended_at):
            claimed_ended_at = None  # only in a manifest accepted before the time ranges
        header = None if media is None else media.container_duration_ms
        return cls(
            started_at,
            measured_ms(media),
            claimed_start(creation_time),
            claimed_ended_at,
            header if header is not None and header <= MAX_DURATION_MS else None,
        )

    @property
    def ended_at(self) -> datetime | None:
        """Where the footage ends: its start plus its probed length; None if unmeasured."""
        if self.measured_ms is None or not time_in_range(self.started_at):
            return None  # out of range: only in a manifest accepted before the time ranges
        return self.started_at + timedelta(milliseconds=self.measured_ms)

    @property
    def claimed_seconds(self) -> float | None:
        """The length the device claims: its claimed end less the capture start."""
        if self.claimed_ended_at is None:
            return None
        return _ms(self.claimed_ended_at - self.started_at) / 1000

    def disagreements(self, tolerance_seconds: float) -> tuple[str, ...]:
        """The claims that differ from the measurement by more than the tolerance (compared
        to the millisecond): ``started_at`` (the creation_time tag against the signed
        start), ``ended_at`` and ``seconds`` (the claimed end and length against the
        measured ones; from one start, they disagree together), ``container_seconds``
        (the length the container's header claims against the one its packets measure)."""
        limit = round(tolerance_seconds * 1000)
        found: list[str] = []
        claimed = self.claimed_started_at
        if claimed is not None and abs(_ms(claimed - self.started_at)) > limit:
            found.append("started_at")
        end = self.ended_at
        claimed_end = self.claimed_ended_at
        if claimed_end is not None and end is not None and abs(_ms(claimed_end - end)) > limit:
            found.extend(("ended_at", "seconds"))
        header, measured = self.container_ms, self.measured_ms
        if header is not None and measured is not None and abs(header - measured) > limit:
            found.append("container_seconds")
        return tuple(found)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, half a millisecond rounded up (as SQLite's julianday
    does), in whole numbers: no float between the microseconds and the answer."""
    return (_us(moment - _EPOCH) + 500) // 1000


def station_span_ms(
    started_at: datetime, ended_at: datetime | None, offset_ms: int
) -> tuple[int, int]:
    """A recording's span as coverage reads it: from its signed start to where its footage
    ends (its start when unmeasured: a point), in milliseconds on the station's clock,
    ``offset_ms`` being its camera's clock less the station's (0 when not measured)."""
    start = epoch_ms(started_at)
    end = start if ended_at is None else epoch_ms(ended_at)
    return start - offset_ms, end - offset_ms


def _us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _ms(delta: timedelta) -> int:
    return round(delta / timedelta(milliseconds=1))


def footage_of_body(body: bytes) -> FootageSpan:
    """The span of a manifest kept as its exact bytes, read from its capture and media
    sections alone (no case-number rule is needed), without the ranges (it was accepted
    before them, perhaps): for an index recomputing what it derived from manifests it
    already verified."""
    return footage_of(stored_fields(body))


def stored_fields(body: bytes) -> Fields:
    """A kept manifest's top level, read without the ranges."""
    document = loads_object(body, MalformedManifest, "manifest")
    return Fields(document, MalformedManifest, ranges=False)


def footage_of(top: Fields) -> FootageSpan:
    capture = top.section("capture")
    return FootageSpan.of(
        capture.time("started_at"),
        capture.optional_time("ended_at"),
        read_media(top.optional_section("media")),
    )
