"""The agent against raw `curl -T`, round by round in pairs, with the agent's CPU; and,
given another tree's code (``--before``), that agent too in the same rounds.

    ./bench/upload_pairs --size-mib 1024 --rounds 5 [--before /path/to/old/tree] \
        [--patch-chunks 1,8,32]

On a machine shared with other work a median of each side's times hides what the load
did to each round; here each round runs raw, then each agent, back to back (which agent
goes first turns from round to round, so that no agent has the same place in every
round), and the
ratio is taken per round (raw time ÷ the agent's upload time), then its median and
range. The agent's CPU (user + system) is per GiB: its whole run (``wait4``: start-up,
probe, fingerprint, upload), and the fingerprint's and the upload's share (``/proc``
sampled every 20 ms, cut at the journal's times for those states). ``--before`` runs the same command with that tree
first on ``PYTHONPATH`` (its ``agent``, ``evidence``, … packages), under the same
interpreter and server. ``--patch-chunks`` runs this tree's agent once per value given
(``agent.patch_chunks``: chunks per PATCH), each as its own agent in every round.
Helpers come from ``bench/upload_throughput.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from upload_throughput import (  # a sibling script, not a package
    LIUHEN,
    ROOT,
    free_port,
    make_file,
    peak_rss_mib,
    raw_round,
    start_server,
)


def _config(agent_dir: Path, bay: Path, port: int, server_dir: Path, name: str, extra: str) -> Path:
    config = agent_dir / "agent.toml"
    # Random bytes, not media: broken_grace_seconds = 0 takes them at once.
    config.write_text(
        f'[agent]\ndevice_id = "{name}"\nserver_url = "http://127.0.0.1:{port}"\n{extra}'
        f'data_dir = "{agent_dir / "data"}"\n'
        f'server_public_key = "{server_dir / "keys" / "server.pub.pem"}"\n'
        f'watch = ["{bay}"]\nsettle_seconds = 0.2\nquiet_seconds = 1.0\nrescan_seconds = 1.0\n'
        "broken_grace_seconds = 0\n"
        f'[server]\ndata_dir = "{server_dir}"\n[logging]\nlevel = "WARNING"\n'
    )
    return config


class CpuSampler(threading.Thread):
    """(wall clock, user + system CPU seconds) of one process, every 20 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.done = pid, [(time.time(), 0.0)], threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        while not self.done.wait(0.02):
            try:
                fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return
            self.samples.append((time.time(), (int(fields[11]) + int(fields[12])) / self.tick))

    def at(self, when: float) -> float:
        """CPU seconds used by ``when`` (the last sample before it)."""
        return max((cpu for at, cpu in self.samples if at <= when), default=0.0)


def agent_round(
    source: Path, port: int, server_dir: Path, agent_dir: Path, code: Path | None, extra: str = ""
) -> dict[str, float]:
    """One agent, from ``code`` (None: this tree), uploads ``source``; its figures.
    ``extra``: lines added to its ``[agent]`` table."""
    bay = agent_dir / "bay"
    bay.mkdir(parents=True)
    os.link(source, bay / "footage.bin")
    name = f"dock-{agent_dir.name}"
    base = [*LIUHEN, "--config", str(_config(agent_dir, bay, port, server_dir, name, extra))]
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    public = agent_dir / "data" / "keys" / "device.pub.pem"
    for command in (
        ["keys", "generate", "--device"],
        ["device", "register", name, "--public-key", str(public)],
    ):
        subprocess.run([*base, *command], check=True, stdout=subprocess.DEVNULL, env=env)
    started = time.perf_counter()
    agent = subprocess.Popen([*base, "agent", "run", "--once", "--timeout", "900"], env=env)
    sampler = CpuSampler(agent.pid)
    sampler.start()
    _, status, usage = os.wait4(agent.pid, 0)
    sampler.done.set()
    sampler.join()
    total = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"agent exited with {status}")
    journal = sqlite3.connect(agent_dir / "data" / "journal.sqlite3")
    times = dict(journal.execute("SELECT to_state, at FROM events"))
    states = [row[0] for row in journal.execute("SELECT state FROM files")]
    journal.close()
    if states != ["receipted"]:
        raise RuntimeError(f"agent finished with {states}")
    gib = source.stat().st_size / 2**30
    return {
        "upload_s": times["receipted"] - times["registered"],
        "fingerprint_s": times["fingerprinted"] - times["ready"],
        "end_to_end_s": total,
        "cpu_s_per_gib": (usage.ru_utime + usage.ru_stime) / gib,
        "upload_cpu_s_per_gib": (sampler.at(times["receipted"]) - sampler.at(times["registered"]))
        / gib,
        "fingerprint_cpu_s_per_gib": (
            sampler.at(times["fingerprinted"]) - sampler.at(times["ready"])
        )
        / gib,
        "peak_rss_mib": usage.ru_maxrss / 1024,
    }


def summary(raw: list[float], runs: list[dict[str, float]], mib: float) -> dict[str, object]:
    def spread(values: list[float]) -> dict[str, float]:
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    return {
        "ratio_to_raw": spread([r / a["upload_s"] for r, a in zip(raw, runs, strict=True)]),
        "upload_mib_s": spread([mib / a["upload_s"] for a in runs]),
        "end_to_end_mib_s": spread([mib / a["end_to_end_s"] for a in runs]),
        "fingerprint_s": spread([a["fingerprint_s"] for a in runs]),
        "cpu_s_per_gib": spread([a["cpu_s_per_gib"] for a in runs]),
        "upload_cpu_s_per_gib": spread([a["upload_cpu_s_per_gib"] for a in runs]),
        "fingerprint_cpu_s_per_gib": spread([a["fingerprint_cpu_s_per_gib"] for a in runs]),
        "peak_rss_mib": max(a["peak_rss_mib"] for a in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a tree with the code to compare against")
    parser.add_argument("--patch-chunks", help="this agent once per value, e.g. 1,8,32")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        sys.exit("curl is needed: apt-get install curl")
    # name: (code, lines for its [agent] table)
    agents: dict[str, tuple[Path | None, str]] = {"agent": (None, "")}
    if args.patch_chunks:
        values = [int(value) for value in args.patch_chunks.split(",")]
        agents = {f"agent-{n}": (None, f"patch_chunks = {n}\n") for n in values}
    if args.before is not None:
        agents = {"before": (args.before.resolve(), ""), **agents}
    size = args.size_mib * 2**20
    with tempfile.TemporaryDirectory(prefix="liuhen-pairs-", dir=os.environ.get("BENCH_DIR")) as s:
        work = Path(s)
        source = work / "footage.bin"
        make_file(source, size)
        server_dir = work / "server"
        port = free_port()
        server = start_server(server_dir, port)
        raw: list[float] = []
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in agents}
        try:
            for n in range(args.rounds):
                raw.append(raw_round(source, port, server_dir))
                line = f"round {n}: raw {raw[-1]:.2f} s"
                order = list(agents.items())
                order = order[n % len(order) :] + order[: n % len(order)]  # each first in turn
                for name, (code, extra) in order:
                    runs[name].append(
                        agent_round(source, port, server_dir, work / f"{name}-{n}", code, extra)
                    )
                    line += f", {name} upload {runs[name][-1]['upload_s']:.2f} s"
                    line += f" ({runs[name][-1]['upload_cpu_s_per_gib']:.2f} CPU s/GiB)"
                print(line, flush=True)
            server_rss = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait()
    mib = size / 2**20
    result = {
        "size_mib": args.size_mib,
        "rounds": args.rounds,
        "raw_s": raw,
        "runs": runs,
        "summary": {name: summary(raw, values, mib) for name, values in runs.items()},
        "server_peak_rss_mib": server_rss,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"upload-pairs-{args.size_mib}mib.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result["summary"], indent=2))


if __name__ == "__main__":
    main()
