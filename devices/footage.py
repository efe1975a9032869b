"""Real footage for the demo and the tests, made with PyAV: H.264 + AAC in MP4 with real
timestamps and a creation_time tag, as a body camera writes it (no faststart); variable
frame rate clips; audio-only recordings (WAV, M4A) as interview-room recorders write."""

from __future__ import annotations

import array
import functools
import math
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import av
import numpy

__all__ = ["write_audio", "write_clip"]

_SAMPLE_RATE = 48_000
_AUDIO_FRAME = 1024


@functools.lru_cache(maxsize=4)
def _world(width: int, height: int, hue: int) -> numpy.ndarray:
    """What a camera sees: texture at several scales (smoothed noise), twice the frame in
    each direction, chosen by ``hue``, so each camera films its own surroundings."""
    rng = numpy.random.default_rng(hue)
    world = numpy.zeros((2 * height, 2 * width), numpy.float32)
    for scale, weight in ((64, 0.5), (16, 0.3), (4, 0.2)):
        coarse = rng.integers(
            0, 256, (max(2, 2 * height // scale), max(2, 2 * width // scale)), numpy.uint8
        )
        smooth = av.VideoFrame.from_ndarray(coarse, format="gray").reformat(
            width=2 * width, height=2 * height, interpolation="BICUBIC"
        )
        world += weight * smooth.to_ndarray().astype(numpy.float32)
    spread = float(world.max() - world.min()) or 1.0
    scaled: numpy.ndarray = ((world - world.min()) * (200 / spread) + 28).astype(numpy.uint8)
    return scaled


def _picture(width: int, height: int, index: int, hue: int) -> av.VideoFrame:
    """A scene, not a test card: the camera pans slowly across its textured world while a
    bright object crosses it. Fine test patterns alias when scaled and change completely
    from frame to frame, as footage does not; perceptual matching is tested on this."""
    world = _world(width, height, hue)
    step = width / 320
    left = int(index * 0.8 * step) % width
    top = int(index * 0.3 * step) % height
    luma = world[top : top + height, left : left + width].copy()
    size = max(4, width // 6)
    x = int(index * 2 * step) % (width - size)
    y = height // 2 - size // 2
    luma[y : y + size, x : x + size] = 235
    chroma = numpy.full((height // 2, width // 2), hue & 0xFF, numpy.uint8)
    planes = [luma, chroma.reshape(-1, width), (255 - chroma).reshape(-1, width)]
    return av.VideoFrame.from_ndarray(numpy.concatenate(planes), format="yuv420p")


def _tone(first_sample: int, pitch: float, total: int) -> av.AudioFrame:
    """The frame of a tone from ``first_sample``; the last one of ``total`` samples is short,
    so the sound lasts exactly as long as the recording claims."""
    count = min(_AUDIO_FRAME, total - first_sample)
    frame = av.AudioFrame(format="fltp", layout="mono", samples=count)
    samples = array.array(
        "f",
        (
            0.2 * math.sin(2 * math.pi * pitch * (first_sample + k) / _SAMPLE_RATE)
            for k in range(count)
        ),
    )
    frame.planes[0].update(samples.tobytes())
    frame.pts = first_sample
    frame.sample_rate = _SAMPLE_RATE
    frame.time_base = Fraction(1, _SAMPLE_RATE)
    return frame


def _creation_time(started_at: datetime) -> str:
    """The creation_time tag in UTC, as cameras write it."""
    return started_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


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
    variable_rate: bool = False,
    faststart: bool = False,
    bit_rate: int | None = None,
) -> None:
    """``bit_rate``: the video's average bits per second (x264's own choice if None), for
    a low-bitrate camera. ``variable_rate``: frames alternate one and two frame-periods apart, as phones and
    some body cameras write when the scene is dark or the CPU is busy. ``faststart``: the
    index (moov) goes before the data, as files made for streaming have it."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        container.metadata["creation_time"] = _creation_time(started_at)
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        if bit_rate is not None:
            video.bit_rate = bit_rate
        sound = container.add_stream("aac", rate=_SAMPLE_RATE) if audio else None
        if sound is not None:
            sound.layout = "mono"
        video.time_base = Fraction(1, fps)
        ticks = 0
        for index in range(round(seconds * fps)):
            if ticks >= seconds * fps:
                break
            picture = _picture(width, height, index, hue)
            picture.pts, picture.time_base = ticks, Fraction(1, fps)
            container.mux(video.encode(picture))
            ticks += 2 if variable_rate and index % 2 else 1
        container.mux(video.encode(None))
        if sound is not None:
            total = round(seconds * _SAMPLE_RATE)
            for first in range(0, total, _AUDIO_FRAME):
                container.mux(sound.encode(_tone(first, 440 + hue, total)))
            container.mux(sound.encode(None))


def write_audio(path: Path, *, seconds: float, started_at: datetime, pitch: float = 330.0) -> None:
    """An audio-only recording: PCM in WAV, or AAC in M4A, by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in (".wav", ".m4a"):
        raise ValueError("write_audio makes .wav or .m4a files")
    container_format, codec, sample_format = (
        ("wav", "pcm_s16le", "s16") if suffix == ".wav" else ("ipod", "aac", "fltp")
    )
    resampler = av.AudioResampler(format=sample_format, layout="mono", rate=_SAMPLE_RATE)
    with av.open(str(path), "w", format=container_format) as container:
        container.metadata["creation_time"] = _creation_time(started_at)
        sound = container.add_stream(codec, rate=_SAMPLE_RATE)
        if not isinstance(sound, av.AudioStream):
            raise TypeError(f"{codec} is not an audio codec")
        sound.layout = "mono"
        total = round(seconds * _SAMPLE_RATE)
        for first in range(0, total, _AUDIO_FRAME):
            for frame in resampler.resample(_tone(first, pitch, total)):
                container.mux(sound.encode(frame))
        container.mux(sound.encode(None))
