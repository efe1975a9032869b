"""How long a file's media really is: where its last demuxable packet ends.

A container's header states a duration, but it is written apart from the data: an MP4
with its index at the front ("faststart") whose data was cut short still claims its full
length. Demuxing reads packets without decoding them, so it is cheap; to keep it cheap
on a long file only the tail is read: seek a little before the claimed end and demux to
the real end of the data. When nothing can be read there (the data stops before it, or
the file cannot seek), the whole file is demuxed from its start. A packet that would run
past the end of the file is not counted. The length is measured from the container's
start; None when no packet at all can be read. Foreign errors stay inside: a broken file
is an answer, not an exception.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av

__all__ = ["TAIL_SECONDS", "packets_length"]

TAIL_SECONDS = 10  # how far before the claimed end the tail read starts
_AV_TIME_BASE = 10**6  # FFmpeg gives container times in microseconds


def packets_length(path: Path) -> Fraction | None:
    """Seconds from the container's start to the end of its last readable packet."""
    size = path.stat().st_size
    end = _last_end(path, size, tail=True)
    if end is None:
        end = _last_end(path, size, tail=False)
    return end


def _last_end(path: Path, size: int, *, tail: bool) -> Fraction | None:
    try:
        with av.open(str(path), metadata_errors="replace") as container:
            start = container.start_time or 0
            claimed = container.duration
            if tail:
                if claimed is None or claimed <= TAIL_SECONDS * _AV_TIME_BASE:
                    return None  # short or unknown: the whole file is the tail
                at = start + claimed - TAIL_SECONDS * _AV_TIME_BASE
                container.seek(at, backward=True, any_frame=False)
            last = _packets_end(container, size)
    except av.error.FFmpegError:
        return None
    if last is None:
        return None
    return max(last - Fraction(start, _AV_TIME_BASE), Fraction(0))


def _packets_end(container: Any, size: int) -> Fraction | None:
    """Where the last packet read from here on ends, in seconds, as far as the data goes."""
    streams = [s for s in container.streams if s.type in ("video", "audio")]
    last: Fraction | None = None
    try:
        for packet in container.demux(streams):
            if packet.size == 0 or packet.pts is None or packet.time_base is None:
                continue  # the empty packet that ends each stream, or one without a time
            if packet.pos is not None and packet.pos >= 0 and packet.pos + packet.size > size:
                continue  # it claims bytes past the end of the file
            end = (packet.pts + max(packet.duration or 0, 0)) * Fraction(packet.time_base)
            last = end if last is None else max(last, end)
    except av.error.FFmpegError:
        pass  # the data stops here: what was read so far is what there is
    return last
