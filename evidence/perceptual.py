"""Perceptual fingerprints: one PDQ hash per second of video, and the custodian's question
"is this clip from that recording, and from which seconds?".

PDQ (Meta's open perceptual hash, via ``pdqhash``) survives re-encoding, resizing and
moderate compression: near-identical pictures differ in few of its 256 bits, unrelated
ones in about half. Each second of video gets the hash of its first frame at or after that
second, with PDQ's quality score (0-100; flat or dark frames score low and are not
trusted). Hashes compare by Hamming distance.

Why PDQ: docs/media.md. pdqhash loads only when a frame is hashed; decoding a video file
into frames is ``runtime/video_prints.py``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = [
    "ALGORITHM",
    "MATCH_DISTANCE",
    "MIN_QUALITY",
    "Match",
    "SecondPrint",
    "SecondSampler",
    "frame_seconds",
    "hamming",
    "match_clip",
    "pdq",
]

ALGORITHM = "pdq"
MATCH_DISTANCE = 31  # PDQ's published threshold for "the same picture" (of 256 bits)
MIN_QUALITY = 50  # below this PDQ's own score says the hash is unreliable
_HASH_WIDTH = 320  # frames are scaled to this width first: PDQ downsamples to 64x64 anyway


@dataclass(frozen=True, slots=True)
class SecondPrint:
    second: int
    hash: bytes  # 32 bytes
    quality: int


def hamming(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def pdq(frame: Any) -> tuple[bytes, int]:
    """The PDQ hash and quality of a PyAV video frame."""
    import numpy
    import pdqhash

    width = min(_HASH_WIDTH, frame.width)
    height = max(2, round(frame.height * width / frame.width / 2) * 2)
    rgb = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
    bits, quality = pdqhash.compute(rgb)
    return numpy.packbits(bits.astype("uint8")).tobytes(), int(quality)


class SecondSampler:
    """Picks, from frames fed in presentation order, the first at or after each second
    (shifted by ``phase`` seconds), and fingerprints it."""

    def __init__(self, phase: float = 0.0) -> None:
        self.phase = phase
        self.prints: list[SecondPrint] = []
        self._next = 0

    def feed(self, frame: Any, seconds: float) -> None:
        if seconds + 1e-6 < self._next + self.phase:
            return
        second = max(self._next, int(seconds - self.phase + 1e-6))
        digest, quality = pdq(frame)
        self.prints.append(SecondPrint(second, digest, quality))
        self._next = second + 1


def frame_seconds(frame: Any, start: Fraction) -> float | None:
    if frame.pts is None or frame.time_base is None:
        return None
    return float(frame.pts * frame.time_base - start)


@dataclass(frozen=True, slots=True)
class Match:
    verdict: str  # "match", "no_match" or "inconclusive"
    first_second: int | None  # where in the recording the clip starts
    seconds: int  # how many of the clip's seconds were compared
    matched: int  # how many of those were within MATCH_DISTANCE
    mean_distance: float | None
    distances: tuple[int | None, ...]  # per clip second; None where a hash was unreliable


def _trusted(prints: Iterable[SecondPrint]) -> dict[int, bytes]:
    return {p.second: p.hash for p in prints if p.quality >= MIN_QUALITY}


def _compare(
    clip: dict[int, bytes], recording: dict[int, bytes], length: int, offset: int
) -> list[int | None]:
    return [
        hamming(clip[s], recording[s + offset]) if s in clip and s + offset in recording else None
        for s in range(length)
    ]


def match_clip(
    clip_phases: Sequence[Sequence[SecondPrint]], recording: Sequence[SecondPrint]
) -> Match:
    """Slide the clip along the recording, trying each sampling phase of the clip; the
    best alignment decides. A match needs most compared seconds within PDQ's threshold."""
    known = _trusted(recording)
    best: tuple[float, int, list[int | None]] | None = None
    for phase_prints in clip_phases:
        clip = _trusted(phase_prints)
        length = max((p.second for p in phase_prints), default=-1) + 1
        if not clip or not known:
            continue
        for offset in range(-min(clip), max(known) - min(clip) + 1):
            distances = _compare(clip, known, length, offset)
            compared = [d for d in distances if d is not None]
            if len(compared) < max(1, len(clip) // 2):
                continue
            mean = sum(compared) / len(compared)
            if best is None or mean < best[0]:
                best = (mean, offset, distances)
    if best is None:
        return Match("inconclusive", None, 0, 0, None, ())
    mean, offset, distances = best
    compared = [d for d in distances if d is not None]
    matched = sum(1 for d in compared if d <= MATCH_DISTANCE)
    if len(compared) < 2:
        verdict = "inconclusive"
    elif matched >= 0.6 * len(compared) and mean <= MATCH_DISTANCE:
        verdict = "match"
    else:
        verdict = "no_match"
    return Match(
        verdict,
        offset if verdict == "match" else None,
        len(compared),
        matched,
        round(mean, 1),
        tuple(distances),
    )
