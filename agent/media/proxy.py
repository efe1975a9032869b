"""Make the review copy ("proxy"): H.264 + AAC in MP4 with faststart, at most the
profile's height, bitrate capped, in-process with PyAV. The original is only read.

Two threads of our own, both at low priority (os.setpriority on the thread; the
encoder's own threads inherit it): one demuxes, decodes, scales and resamples; the other
encodes and muxes. A straight decode-then-encode loop leaves one of them idle at a time;
the pipeline keeps both busy, as the ffmpeg CLI does. Timestamps pass through unchanged,
so the copy lasts as long as the original (variable frame rates included). While the
original's frames go by, the first frame of each second is fingerprinted (PDQ).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.video.reformatter import VideoReformatter

from agent import failpoints
from agent.media.profiles import Profile
from evidence.perceptual import SecondPrint, SecondSampler, frame_seconds
from runtime.private_files import ensure_private_file, make_private_dirs

__all__ = ["HEADROOM", "TranscodeCancelled", "TranscodeFailed", "make_proxy"]

log = logging.getLogger(__name__)

_AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
_QUEUE_FRAMES = 8
# The copy's bitrates are at most this share of the original's: x264's rate control
# overshoots its target by a few percent (6% on a 2 s clip), and the copy must fit.
HEADROOM = 0.9
_RETRY_MARGIN = 0.9  # below the share that would have made the first try fit exactly
_MAX_BAD_PACKETS = 100
_END = None


class TranscodeFailed(Exception):
    """The copy could not be made; the original is untouched and already evidence."""


class _TooLarge(Exception):
    def __init__(self, made: int, original: int) -> None:
        super().__init__(f"the copy came out larger than the original ({made} > {original} bytes)")
        self.made, self.original = made, original


class TranscodeCancelled(Exception):
    """The agent is stopping: the partial copy is gone, and it is made again next time."""


def _lower_priority(nice: int) -> None:
    if nice:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


@dataclass
class _Streams:
    video_in: Any
    audio_in: Any
    video_out: Any
    audio_out: Any
    size: tuple[int, int] | None
    resampler: Any
    # One scaler for every frame: a frame's own reformat() builds a new swscale context
    # (filters, buffers) for each frame, half the scaling's CPU.
    scaler: Any = None


def _source_rates(source: Any, video_in: Any, audio_in: Any) -> tuple[int | None, int | None]:
    """The original's video and audio bits per second, as its container states them; a
    video rate it does not state is what the whole file's rate leaves after the audio."""
    audio = int(audio_in.bit_rate or 0) if audio_in is not None else 0
    video = int(video_in.bit_rate or 0) if video_in is not None else 0
    if video_in is not None and not video and source.bit_rate:
        video = max(0, int(source.bit_rate) - audio)
    return video or None, audio or None


def _open_streams(source: Any, target: Any, profile: Profile, share: float) -> _Streams:
    video_in = source.streams.video[0] if source.streams.video else None
    audio_in = source.streams.audio[0] if source.streams.audio else None
    if video_in is None and audio_in is None:
        raise TranscodeFailed("no audio or video stream to copy")
    video_bps, audio_bps = _source_rates(source, video_in, audio_in)
    profile = profile.capped(
        int(video_bps * share) if video_bps else None,
        int(audio_bps * share) if audio_bps else None,
    )
    video_out = size = resampler = audio_out = None
    if video_in is not None:
        video_in.thread_type = "AUTO"
        video_in.thread_count = profile.threads
        size = profile.output_size(video_in.codec_context.width, video_in.codec_context.height)
        video_out = target.add_stream(profile.video_codec, rate=video_in.guessed_rate or 30)
        video_out.width, video_out.height = size
        video_out.pix_fmt = "yuv420p"
        # Keep the source's time base: a coarser one from the rate hint would merge the
        # timestamps of a variable-rate source.
        video_out.time_base = video_in.time_base
        video_out.codec_context.time_base = video_in.time_base
        video_out.bit_rate = profile.video_bitrate
        video_out.thread_count = profile.threads
        # PyAV opens encoders with slice threads only; x264's frame threads (what the
        # ffmpeg CLI gets by default) keep both cores busier for the same output.
        video_out.codec_context.thread_type = "AUTO"
        video_out.codec_context.options = {
            "preset": profile.preset,
            "maxrate": str(profile.maxrate),
            "bufsize": str(profile.bufsize),
        }
    if audio_in is not None:
        rate = audio_in.codec_context.sample_rate
        rate = rate if rate in _AAC_RATES else 48000
        layout = "mono" if audio_in.codec_context.channels == 1 else "stereo"
        audio_out = target.add_stream(profile.audio_codec, rate=rate)
        audio_out.layout = layout
        audio_out.bit_rate = profile.audio_bitrate
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
    scaler = VideoReformatter() if video_in is not None else None
    return _Streams(video_in, audio_in, video_out, audio_out, size, resampler, scaler)


class _Transcode:
    def __init__(
        self,
        source: Path,
        target: Path,
        profile: Profile,
        nice: int,
        stop: threading.Event,
        on_progress: Callable[[float], None],
        share: float,
    ) -> None:
        self.source, self.target, self.profile, self.nice = source, target, profile, nice
        self.share = share  # of the original's bitrates, at most, for the copy
        self.frames: queue.Queue[tuple[str, Any] | None] = queue.Queue(_QUEUE_FRAMES)
        self.sampler = SecondSampler()
        self.failure: BaseException | None = None
        self.stop = stop  # set by a failure in either thread, or by the caller to cancel
        self.on_progress = on_progress

    def run(self) -> tuple[SecondPrint, ...]:
        partial = self.target.with_name(self.target.name + ".partial")
        ensure_private_file(partial)  # FFmpeg keeps the mode of a file it truncates
        try:
            self._transcode(partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        if self.failure is not None:
            partial.unlink(missing_ok=True)
            raise TranscodeFailed(str(self.failure)) from self.failure
        if self.stop.is_set():  # cancelled: what was written is not a whole copy
            partial.unlink(missing_ok=True)
            raise TranscodeCancelled(f"cancelled while copying {self.source.name}")
        made, original = partial.stat().st_size, self.source.stat().st_size
        if made > original:
            partial.unlink()
            raise _TooLarge(made, original)
        os.replace(partial, self.target)
        return tuple(self.sampler.prints)

    def _transcode(self, partial: Path) -> None:
        with (
            av.open(str(self.source), metadata_errors="replace") as source,
            av.open(str(partial), "w", format="mp4", options={"movflags": "+faststart"}) as target,
        ):
            streams = _open_streams(source, target, self.profile, self.share)
            decoder = threading.Thread(
                target=self._guard, args=(self._decode, source, streams), name="proxy-decode"
            )
            encoder = threading.Thread(
                target=self._guard, args=(self._encode, target, streams), name="proxy-encode"
            )
            decoder.start()
            encoder.start()
            decoder.join()
            encoder.join()

    def _guard(self, work: Any, container: Any, streams: _Streams) -> None:
        _lower_priority(self.nice)
        try:
            work(container, streams)
        except BaseException as exc:  # reported by run(); the other thread must stop too
            self.failure = self.failure or exc
            self.stop.set()
            self._drain()

    def _drain(self) -> None:
        """Unblock a producer waiting on a full queue once the consumer has failed."""
        try:
            while True:
                self.frames.get_nowait()
        except queue.Empty:
            pass

    def _get(self) -> tuple[str, Any] | None:
        while not self.stop.is_set():
            try:
                return self.frames.get(timeout=0.5)
            except queue.Empty:
                continue
        return _END

    def _put(self, item: tuple[str, Any] | None) -> None:
        while not self.stop.is_set():
            try:
                self.frames.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _decode(self, container: Any, streams: _Streams) -> None:
        wanted = [s for s in (streams.video_in, streams.audio_in) if s is not None]
        start = Fraction(0)
        if streams.video_in is not None and streams.video_in.start_time is not None:
            start = Fraction(streams.video_in.start_time) * streams.video_in.time_base
        bad = 0
        for packet in container.demux(wanted):
            if self.stop.is_set():
                return
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                bad += 1  # a damaged packet: skip it, as ffmpeg does, unless it is all damage
                if bad > _MAX_BAD_PACKETS:
                    raise
                continue
            for frame in frames:
                if packet.stream is streams.video_in:
                    self._video_frame(frame, streams, start)
                else:
                    for resampled in streams.resampler.resample(frame):
                        self._put(("audio", resampled))
        if streams.resampler is not None:
            for resampled in streams.resampler.resample(None):
                self._put(("audio", resampled))
        self._put(_END)

    def _video_frame(self, frame: Any, streams: _Streams, start: Fraction) -> None:
        failpoints.hit(failpoints.WHILE_REVIEW_COPY)
        seconds = frame_seconds(frame, start)
        if seconds is not None:
            self.sampler.feed(frame, seconds)
            self.on_progress(seconds)
        width, height = streams.size or (frame.width, frame.height)
        scaled = streams.scaler.reformat(frame, width=width, height=height, format="yuv420p")
        scaled.pts, scaled.time_base = frame.pts, frame.time_base
        self._put(("video", scaled))

    def _encode(self, container: Any, streams: _Streams) -> None:
        while (item := self._get()) is not _END:
            kind, frame = item
            stream = streams.video_out if kind == "video" else streams.audio_out
            container.mux(stream.encode(frame))
        if self.stop.is_set():
            return
        for stream in (streams.video_out, streams.audio_out):
            if stream is not None:
                container.mux(stream.encode(None))


def _ignore(seconds: float) -> None:
    pass


def make_proxy(
    source: Path,
    target: Path,
    profile: Profile,
    nice: int = 10,
    *,
    cancel: threading.Event | None = None,
    on_progress: Callable[[float], None] = _ignore,
) -> tuple[SecondPrint, ...]:
    """Write the review copy of ``source`` to ``target``; return the original's per-second
    fingerprints. ``on_progress`` hears the seconds of video done so far (from a worker
    thread); setting ``cancel`` stops the work soon. Raises ``TranscodeFailed`` or
    ``TranscodeCancelled``; never touches ``source``.

    The copy is never larger than its original: its bitrates are capped below the
    original's (``HEADROOM``), and a copy that still comes out larger (x264 overshoots a
    short clip's target) is made once more at the rate that would have fitted."""
    make_private_dirs(target.parent)
    stop = cancel or threading.Event()
    share = HEADROOM
    try:
        for _ in range(2):
            try:
                return _Transcode(source, target, profile, nice, stop, on_progress, share).run()
            except _TooLarge as exc:
                log.info("%s: %s; making it again at a lower bitrate", source.name, exc)
                share *= _RETRY_MARGIN * exc.original / exc.made
                failure = exc
        raise TranscodeFailed(f"{failure} even at a lower bitrate")
    except av.error.FFmpegError as exc:
        raise TranscodeFailed(f"{exc.strerror or exc}") from exc
