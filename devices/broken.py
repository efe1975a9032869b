"""Broken footage, made on purpose: what docks and recorders really produce when a battery
dies, a card fails or a file is still being written. Each is evidence all the same."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import av

from devices.footage import write_clip

__all__ = [
    "write_cut_short",
    "write_empty",
    "write_gbk_metadata",
    "write_not_media",
    "write_truncated",
    "write_undecodable",
]


def write_empty(path: Path) -> None:
    path.write_bytes(b"")


def write_not_media(path: Path) -> None:
    """Bytes that are no container at all (a renamed document, a corrupt card sector)."""
    path.write_bytes(b"%PDF-1.4 not a video\n" + os.urandom(4096))


def write_truncated(
    path: Path, *, started_at: datetime, seconds: float = 3.0, keep: float = 0.6
) -> None:
    """A camera that lost power mid-recording: the MP4's index (moov, written last) is gone."""
    write_clip(path, seconds=seconds, started_at=started_at, width=320, height=240)
    with open(path, "r+b") as handle:
        handle.truncate(int(path.stat().st_size * keep))


def write_cut_short(
    path: Path, *, started_at: datetime, seconds: float = 20.0, keep: float = 0.15
) -> None:
    """A copy that stopped part way (a card or a dock link failing): the MP4's index is at
    the front and whole, so it opens and claims its full length, but its data stops
    after ``keep`` of its bytes."""
    write_clip(
        path, seconds=seconds, started_at=started_at, width=320, height=240, audio=False,
        faststart=True,
    )  # fmt: skip
    with open(path, "r+b") as handle:
        handle.truncate(int(path.stat().st_size * keep))


def write_undecodable(path: Path, *, started_at: datetime, seconds: float = 2.0) -> None:
    """A container that opens, whose video stream decodes to nothing (corrupt payload)."""
    source = path.with_name(path.name + ".source.mp4")
    write_clip(source, seconds=seconds, started_at=started_at, width=320, height=240)
    try:
        with av.open(str(source)) as original, av.open(str(path), "w", format="mp4") as damaged:
            video = damaged.add_stream_from_template(original.streams.video[0])
            audio = damaged.add_stream_from_template(original.streams.audio[0])
            video.codec_context.extradata = os.urandom(40)
            for packet in original.demux():
                if packet.dts is None:
                    continue
                if packet.stream.type == "video":
                    noise = av.Packet(os.urandom(packet.size))
                    noise.pts, noise.dts, noise.time_base = packet.pts, packet.dts, packet.time_base
                    noise.stream = video
                    damaged.mux(noise)
                else:
                    packet.stream = audio
                    damaged.mux(packet)
    finally:
        source.unlink()


def write_gbk_metadata(path: Path, *, started_at: datetime, seconds: float = 2.0) -> None:
    """Playable footage whose firmware wrote its title in GBK, not UTF-8 (seen on domestic
    cameras): FFmpeg reads it, and a strict UTF-8 reader of the metadata would choke."""
    source = path.with_name(path.name + ".source.mp4")
    write_clip(source, seconds=seconds, started_at=started_at, width=320, height=240)
    try:
        with (
            av.open(str(source)) as original,
            av.open(str(path), "w", format="mp4", metadata_encoding="gbk") as relabelled,
        ):
            relabelled.metadata.update(original.metadata)
            relabelled.metadata["title"] = "执法记录仪 第0001段"
            streams = {
                stream.index: relabelled.add_stream_from_template(stream)
                for stream in original.streams
            }
            for packet in original.demux():
                if packet.dts is None:
                    continue
                packet.stream = streams[packet.stream.index]
                relabelled.mux(packet)
    finally:
        source.unlink()
