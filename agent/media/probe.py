"""Probe an original with PyAV: what it is, how long, and whether it decodes at all.

Opening reads the container; then the first ``check_seconds`` of each audio and video
stream are decoded, because a file can open and still hold a stream nothing can decode.
Its length is the smaller of what the container's header claims and where its last
packet really ends (agent/media/length.py): a file cut short keeps a header that claims
its full length. When the header claims more, its claim is kept beside the measured
length (``container_duration_ms``).
Every failure is an answer, never an exception: a broken file is still evidence, and the
manifest says what is wrong with it. Times inside the file (creation_time, stream start)
are the device's claims and are recorded as found; a number outside the range the
manifest allows (a broken file can claim a duration of centuries) is recorded as unknown,
so the agent never signs a manifest the server must refuse.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from agent.media.length import packets_length
from evidence.manifest_media import (
    MAX_DURATION_MS,
    MAX_START_MS,
    MAX_STREAM_VALUE,
    MediaFacts,
    StreamFacts,
    fraction_text,
)
from evidence.ranges import within

__all__ = ["opens_as_media", "probe"]

log = logging.getLogger(__name__)

_VFR_SPREAD = 0.1  # frame durations differing by more than 10% mean a variable rate


def _ms(value: Fraction | None) -> int | None:
    return None if value is None else round(value * 1000)


def _duration_ms(value: Fraction | None) -> int | None:
    return within(_ms(value), 0, MAX_DURATION_MS)


def _count(value: int | None) -> int | None:
    """A width, height, sample rate or channel count as the manifest takes it."""
    return within(value, 0, MAX_STREAM_VALUE)


def _stream_seconds(stream: Any, ticks: int | None) -> Fraction | None:
    if ticks is None or stream.time_base is None:
        return None
    return Fraction(ticks) * Fraction(stream.time_base)


def _reason(exc: av.error.FFmpegError) -> str:
    """FFmpeg's description without the file path (which would leak the dock's layout)."""
    return str(exc.strerror or type(exc).__name__)


def _broken(problem: str, container: str | None = None) -> MediaFacts:
    return MediaFacts(container, None, None, False, False, False, problem)


def _codec_name(stream: Any) -> str | None:
    # No codec context where this FFmpeg has no decoder for the stream (a JPEG XL pipe,
    # a maker's own codec, or random bytes that look like one): it is described, not read.
    context = stream.codec_context
    return None if context is None else str(context.name)


def _describe(stream: Any, variable: bool) -> StreamFacts:
    context = stream.codec_context
    kind = stream.type if stream.type in ("video", "audio") else "other"
    video = kind == "video" and context is not None
    audio = kind == "audio" and context is not None
    rate = stream.average_rate if kind == "video" else None
    return StreamFacts(
        kind=kind,
        codec=_codec_name(stream),
        width=_count(context.width) if video else None,
        height=_count(context.height) if video else None,
        frame_rate=None if not rate else fraction_text(rate.numerator, rate.denominator),
        variable_frame_rate=variable,
        sample_rate=_count(context.sample_rate) if audio else None,
        channels=_count(context.channels) if audio else None,
        start_ms=within(
            _ms(_stream_seconds(stream, stream.start_time)), -MAX_START_MS, MAX_START_MS
        ),
        duration_ms=_duration_ms(_stream_seconds(stream, stream.duration)),
    )


def _check_decoding(
    container: Any, streams: list[Any], check_seconds: float
) -> tuple[dict[int, list[int]], str | None]:
    """Decode the first seconds of each stream; return video frame timestamps and a problem."""
    decoded: dict[int, int] = {stream.index: 0 for stream in streams}
    pts: dict[int, list[int]] = {stream.index: [] for stream in streams if stream.type == "video"}
    done: set[int] = set()
    try:
        for packet in container.demux(streams):
            index = packet.stream.index
            if index in done:
                continue
            for frame in packet.decode():
                decoded[index] += 1
                if index in pts and frame.pts is not None:
                    pts[index].append(frame.pts)
                seconds = _stream_seconds(packet.stream, frame.pts)
                start = _stream_seconds(packet.stream, packet.stream.start_time) or 0
                if seconds is not None and seconds - start >= check_seconds:
                    done.add(index)
            if len(done) == len(streams):
                break
    except av.error.FFmpegError as exc:
        return pts, f"decoding failed: {_reason(exc)}"
    silent = [stream for stream in streams if decoded[stream.index] == 0]
    if silent:
        kinds = ", ".join(
            f"{stream.type} stream {stream.index} ({_codec_name(stream) or 'no decoder'})"
            for stream in silent
        )
        return pts, f"no frame could be decoded from {kinds}"
    return pts, None


def _variable_rate(timestamps: list[int]) -> bool:
    steps = [b - a for a, b in itertools.pairwise(timestamps) if b > a]
    if len(steps) < 3:
        return False
    mean = sum(steps) / len(steps)
    return any(abs(step - mean) > _VFR_SPREAD * mean for step in steps)


def probe(path: Path, check_seconds: float = 1.0) -> MediaFacts:
    if path.stat().st_size == 0:
        return _broken("the file is empty")
    try:
        container = av.open(str(path), metadata_errors="replace")
    except av.error.FFmpegError as exc:
        return _broken(f"not readable as media: {_reason(exc)}")
    try:
        facts = _probe_open(container, check_seconds)
    finally:
        container.close()
    return _measured(facts, path) if facts.has_video or facts.has_audio else facts


def _measured(facts: MediaFacts, path: Path) -> MediaFacts:
    """The facts with the length the packets measure, where it is less than the header's
    claim (or the header has none); the claim is kept beside it."""
    measured = _duration_ms(packets_length(path))
    header = facts.duration_ms
    if measured is None or (header is not None and header <= measured):
        return facts
    if header is not None:
        log.warning(
            "%s: its header claims %d ms, its packets end at %d ms", path.name, header, measured
        )
    return dataclasses.replace(facts, duration_ms=measured, container_duration_ms=header)


def _probe_open(container: Any, check_seconds: float) -> MediaFacts:
    name = container.format.name if container.format is not None else None
    av_streams = [s for s in container.streams if s.type in ("video", "audio")]
    if not av_streams:
        return _broken("no audio or video stream", name)
    timestamps, problem = _check_decoding(container, av_streams, check_seconds)
    streams = tuple(
        _describe(stream, _variable_rate(sorted(timestamps.get(stream.index, []))))
        for stream in container.streams
    )
    # FFmpeg gives the container's duration in microseconds.
    duration = (
        None if container.duration is None else _duration_ms(Fraction(container.duration, 10**6))
    )
    return MediaFacts(
        container=name,
        duration_ms=duration,
        creation_time=container.metadata.get("creation_time"),
        has_video=any(s.kind == "video" for s in streams),
        has_audio=any(s.kind == "audio" for s in streams),
        decodable=problem is None,
        problem=problem,
        streams=streams,
    )


def opens_as_media(path: Path) -> bool:
    """A cheap completeness hint: does the container open (an MP4 has its moov atom)?"""
    try:
        with av.open(str(path), metadata_errors="replace"):
            return True
    except (av.error.FFmpegError, OSError):
        return False
