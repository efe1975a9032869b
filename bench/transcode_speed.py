"""Review-copy transcode speed: PyAV in-process (agent.media.proxy) against the ffmpeg CLI,
same 60 s 1080p30 H.264 source, same encoder settings, alternating rounds in one run: the
CLI goes first in even rounds and last in odd ones, so a neighbour's load that grows or
fades during a round does not always favour the same side.

    ./bench/transcode --rounds 3

Also a straight decode-then-encode PyAV loop on one thread, for reference: the gap between
it and the pipeline is what the two-thread design buys. Results print and go to
bench/results/transcode.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import av

from agent.media.probe import probe
from agent.media.profiles import load_profiles
from agent.media.proxy import make_proxy

ROOT = Path(__file__).resolve().parent.parent
PROFILE = load_profiles()["review-720p"]


def make_source(path: Path, seconds: int) -> None:
    """A 1080p30 H.264 + AAC clip with moving detail and sensor-like noise (x264 must work)."""
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1920x1080:rate=30,noise=alls=12:allf=t",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            str(seconds),
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-b:v",
            "8M",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            str(path),
        ],
        check=True,
    )


def ffmpeg_cli(source: Path, target: Path) -> None:
    p = PROFILE
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-threads",
            str(p.threads),
            "-i",
            str(source),
            "-vf",
            # PyAV's reformat scales bilinear by default; the CLI's scale filter would
            # take bicubic, more work for the same job.
            f"scale=-2:{p.max_height}:flags=bilinear",
            "-c:v",
            p.video_codec,
            "-preset",
            p.preset,
            "-threads",
            str(p.threads),
            "-b:v",
            str(p.video_bitrate),
            "-maxrate",
            str(p.maxrate),
            "-bufsize",
            str(p.bufsize),
            "-c:a",
            p.audio_codec,
            "-b:a",
            str(p.audio_bitrate),
            "-movflags",
            "+faststart",
            str(target),
        ],
        check=True,
    )


def pyav_pipeline(source: Path, target: Path) -> None:
    make_proxy(source, target, PROFILE, nice=0)  # the agent's own code; nice 0 to race fairly


def pyav_straight(source: Path, target: Path) -> None:
    """One thread: decode, scale, encode, mux, in turn."""
    p = PROFILE
    with (
        av.open(str(source)) as src,
        av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out,
    ):
        video_in, audio_in = src.streams.video[0], src.streams.audio[0]
        video_in.thread_type, video_in.thread_count = "AUTO", p.threads
        width, height = p.output_size(video_in.codec_context.width, video_in.codec_context.height)
        video = out.add_stream(p.video_codec, rate=video_in.guessed_rate)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.time_base = video.codec_context.time_base = video_in.time_base
        video.bit_rate, video.thread_count = p.video_bitrate, p.threads
        video.codec_context.options = {
            "preset": p.preset,
            "maxrate": str(p.maxrate),
            "bufsize": str(p.bufsize),
        }
        audio = out.add_stream(p.audio_codec, rate=audio_in.codec_context.sample_rate)
        audio.bit_rate = p.audio_bitrate
        resampler = av.AudioResampler(
            format="fltp",
            layout=audio_in.codec_context.layout.name,
            rate=audio_in.codec_context.sample_rate,
        )
        for packet in src.demux(video_in, audio_in):
            for frame in packet.decode():
                if packet.stream is video_in:
                    scaled = frame.reformat(width=width, height=height, format="yuv420p")
                    scaled.pts, scaled.time_base = frame.pts, frame.time_base
                    out.mux(video.encode(scaled))
                else:
                    for resampled in resampler.resample(frame):
                        out.mux(audio.encode(resampled))
        out.mux(video.encode(None))
        out.mux(audio.encode(None))


def cpu_seconds() -> tuple[float, float]:
    """User + system CPU seconds of this process and of its waited-for children."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


WAYS = {"ffmpeg_cli": ffmpeg_cli, "pyav_pipeline": pyav_pipeline, "pyav_straight": pyav_straight}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    work = Path(os.environ.get("BENCH_DIR", "/tmp")) / "liuhen-transcode"
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"source-1080p30-{args.seconds}s.mp4"
    if not source.exists():
        make_source(source, args.seconds)
    times: dict[str, list[float]] = {name: [] for name in WAYS}
    cpu: dict[str, list[float]] = {name: [] for name in WAYS}
    load: list[float] = []
    for n in range(args.rounds):
        load.append(os.getloadavg()[0])
        for name in list(WAYS) if n % 2 == 0 else list(reversed(WAYS)):
            way = WAYS[name]
            target = work / f"{name}.mp4"
            before = cpu_seconds()
            started = time.perf_counter()
            way(source, target)
            times[name].append(time.perf_counter() - started)
            used = cpu_seconds()
            cpu[name].append(used[1] - before[1] if name == "ffmpeg_cli" else used[0] - before[0])
            facts = probe(target)
            video = next(s for s in facts.streams if s.kind == "video")
            assert (video.width, video.height) == (1280, 720), name
            assert abs(facts.duration_ms - args.seconds * 1000) < 100, name
            print(
                f"round {n} {name:14} {times[name][-1]:6.2f} s, CPU {cpu[name][-1]:6.2f} s"
                f" (load {load[-1]:.1f})",
                flush=True,
            )
    median = {name: statistics.median(values) for name, values in times.items()}
    pairs = [
        cli / ours for cli, ours in zip(times["ffmpeg_cli"], times["pyav_pipeline"], strict=True)
    ]
    cpu_pairs = [
        cli / ours for cli, ours in zip(cpu["ffmpeg_cli"], cpu["pyav_pipeline"], strict=True)
    ]
    result = {
        "ffmpeg": subprocess.run(
            ["ffmpeg", "-version"], capture_output=True, text=True
        ).stdout.split("\n")[0],
        "pyav": av.__version__,
        "libavcodec": ".".join(map(str, av.library_versions["libavcodec"])),
        "seconds_of_video": args.seconds,
        "times": times,
        "cpu_s": cpu,
        "median_cpu_s": {name: statistics.median(values) for name, values in cpu.items()},
        "pyav_speed_vs_cli_per_round": {
            "median": statistics.median(pairs),
            "min": min(pairs),
            "max": max(pairs),
        },
        "pyav_cpu_vs_cli_per_round": {
            "median": statistics.median(cpu_pairs),
            "min": min(cpu_pairs),
            "max": max(cpu_pairs),
        },
        "load_average_1min_per_round": load,
        "median_s": median,
        "realtime_multiple": {name: args.seconds / value for name, value in median.items()},
        "pyav_speed_vs_cli": median["ffmpeg_cli"] / median["pyav_pipeline"],
        "straight_speed_vs_cli": median["ffmpeg_cli"] / median["pyav_straight"],
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "transcode.json").write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k not in ("times", "cpu_s")}, indent=2))
    sys.exit(0)


if __name__ == "__main__":
    main()
