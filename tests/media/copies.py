"""Copies of a recording as they circulate: cut, re-encoded, resized (made with PyAV)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av


def cut(
    source: Path,
    target: Path,
    start: float,
    end: float,
    *,
    height: int | None = None,
    bitrate: int = 400_000,
) -> None:
    """Seconds [start, end) of ``source``'s video, re-encoded (and resized to ``height``)."""
    with av.open(str(source)) as original, av.open(str(target), "w", format="mp4") as copy:
        video_in = original.streams.video[0]
        width_in, height_in = video_in.codec_context.width, video_in.codec_context.height
        height = height or height_in
        width = round(width_in * height / height_in / 2) * 2
        stream = copy.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = bitrate
        stream.codec_context.options = {"preset": "ultrafast"}
        stream.time_base = Fraction(1, 1000)
        first = None
        for frame in original.decode(video_in):
            seconds = float(frame.pts * frame.time_base)
            if not start <= seconds < end:
                continue
            first = seconds if first is None else first
            scaled = frame.reformat(width=width, height=height, format="yuv420p")
            scaled.pts, scaled.time_base = round((seconds - first) * 1000), Fraction(1, 1000)
            copy.mux(stream.encode(scaled))
        copy.mux(stream.encode(None))
