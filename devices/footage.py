"""Real footage for the demo and the tests: H.264 + AAC in MP4, made with PyAV, with
real timestamps and a creation_time tag, as a body camera writes it (no faststart)."""

from __future__ import annotations

import array
import math
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import av

__all__ = ["write_clip"]

_SAMPLE_RATE = 48_000
_AUDIO_FRAME = 1024


def _picture(width: int, height: int, index: int, hue: int) -> av.VideoFrame:
    """Moving stripes and a bright block: changes every frame, so the encoder does work."""
    frame = av.VideoFrame(width, height, "yuv420p")
    row = bytes(((x * 2 + index * 8) & 0xFF) for x in range(width))
    luma = bytearray(row * height)
    block = 32
    left = (index * 6) % max(1, width - block)
    top = (index * 3) % max(1, height - block)
    for y in range(top, top + block):
        luma[y * width + left : y * width + left + block] = b"\xeb" * block
    frame.planes[0].update(bytes(luma))
    chroma = (width // 2) * (height // 2)
    frame.planes[1].update(bytes([hue & 0xFF]) * chroma)
    frame.planes[2].update(bytes([(255 - hue) & 0xFF]) * chroma)
    return frame


def _tone(first_sample: int, pitch: float) -> av.AudioFrame:
    frame = av.AudioFrame(format="fltp", layout="mono", samples=_AUDIO_FRAME)
    samples = array.array(
        "f",
        (
            0.2 * math.sin(2 * math.pi * pitch * (first_sample + k) / _SAMPLE_RATE)
            for k in range(_AUDIO_FRAME)
        ),
    )
    frame.planes[0].update(samples.tobytes())
    frame.pts = first_sample
    frame.sample_rate = _SAMPLE_RATE
    frame.time_base = Fraction(1, _SAMPLE_RATE)
    return frame


def write_clip(
    path: Path,
    *,
    seconds: float,
    started_at: datetime,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    audio: bool = True,
    hue: int = 90,
) -> None:
    with av.open(str(path), "w", format="mp4") as container:
        # MP4 creation_time is UTC, as cameras write it.
        container.metadata["creation_time"] = started_at.astimezone(UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.000000Z"
        )
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = container.add_stream("aac", rate=_SAMPLE_RATE) if audio else None
        if sound is not None:
            sound.layout = "mono"
        frames = round(seconds * fps)
        for index in range(frames):
            picture = _picture(width, height, index, hue)
            picture.pts, picture.time_base = index, Fraction(1, fps)
            container.mux(video.encode(picture))
        container.mux(video.encode(None))
        if sound is not None:
            for first in range(0, round(seconds * _SAMPLE_RATE), _AUDIO_FRAME):
                container.mux(sound.encode(_tone(first, 440 + hue)))
            container.mux(sound.encode(None))
