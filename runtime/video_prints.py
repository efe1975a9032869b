"""Decode a video file into per-second perceptual fingerprints, with PyAV. Which frame
stands for each second, how it is hashed and how prints compare are the kernel's
(``evidence/perceptual.py``); this module only reads the file. PyAV loads only when a
video is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from evidence.errors import UnreadableMedia
from evidence.perceptual import SecondPrint, SecondSampler, frame_seconds

__all__ = ["prints_of_video"]


def prints_of_video(path: Path, phases: Sequence[float] = (0.0,)) -> list[list[SecondPrint]]:
    """Decode the first video stream of ``path``; one list of per-second prints per phase.
    What FFmpeg cannot read becomes ``UnreadableMedia``."""
    import av

    samplers = [SecondSampler(phase) for phase in phases]
    try:
        with av.open(str(path), metadata_errors="replace") as container:
            if not container.streams.video:
                return [[] for _ in samplers]
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            start = Fraction(stream.start_time or 0) * Fraction(stream.time_base or 1)
            for frame in container.decode(stream):
                seconds = frame_seconds(frame, start)
                if seconds is None:
                    continue
                for sampler in samplers:
                    sampler.feed(frame, seconds)
    except av.error.FFmpegError as exc:
        raise UnreadableMedia(
            f"not readable as video: {exc.strerror or type(exc).__name__}"
        ) from exc
    return [sampler.prints for sampler in samplers]
