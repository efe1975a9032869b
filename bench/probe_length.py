"""What measuring a file's length from its packets costs on a large file.

    .venv/bin/python bench/probe_length.py --gigabytes 2 --dir /work/tmp

Makes an MP4 of the size asked (a short 1080p H.264 clip's packets copied over and over
with their times moved on: no encoding, so it is quick to make), then times, each a few
rounds: the whole probe (open, decode the first second, measure the length: it reads
only the tail), the tail read alone, the whole-file demux the probe falls back to when
the tail holds nothing (a file cut short), and, for scale, hashing every byte as the
agent's fingerprint does. Results print and go to bench/results/probe_length.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av

from agent.media.length import _last_end
from agent.media.probe import probe
from devices.footage import write_clip
from evidence.digest import fingerprint_file

ROOT = Path(__file__).resolve().parent.parent


def make_large(path: Path, size: int) -> None:
    source = path.with_name("source.mp4")
    write_clip(source, seconds=10, started_at=datetime.now(UTC), width=1920, height=1080)
    with av.open(str(source)) as src, av.open(str(path), "w", format="mp4") as out:
        streams = {s.index: out.add_stream_from_template(s) for s in src.streams}
        packets = [
            (p.stream.index, bytes(p), p.pts, p.dts, p.duration, p.time_base, p.is_keyframe)
            for p in src.demux()
            if p.size
        ]
        spans = {}
        for index in streams:
            mine = [(dts, duration or 0) for i, _, _, dts, duration, _, _ in packets if i == index]
            spans[index] = max(d + n for d, n in mine) - min(d for d, _ in mine)
        rounds = written = 0
        while written < size:
            for index, data, pts, dts, duration, time_base, key in packets:
                packet = av.Packet(data)
                packet.pts, packet.dts = pts + rounds * spans[index], dts + rounds * spans[index]
                packet.duration, packet.time_base, packet.is_keyframe = duration, time_base, key
                packet.stream = streams[index]
                out.mux(packet)
                written += len(data)
            rounds += 1
    source.unlink()


def timed(run: Any, rounds: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    path = args.dir / "large.mp4"
    if not path.exists() or path.stat().st_size < args.gigabytes * 1e9:
        make_large(path, int(args.gigabytes * 1e9))
    size = path.stat().st_size
    results: dict[str, Any] = {"bytes": size}
    results["probe_s"], facts = timed(lambda: probe(path), args.rounds)
    results["duration_ms"] = facts.duration_ms
    results["tail_s"], _ = timed(lambda: _last_end(path, size, tail=True), args.rounds)
    results["whole_demux_s"], _ = timed(lambda: _last_end(path, size, tail=False), args.rounds)
    results["sha256_s"], _ = timed(lambda: fingerprint_file(path), 1)
    print(json.dumps(results, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "probe_length.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
