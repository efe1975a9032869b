"""Upload a large file with the agent over loopback, and in the same run stream the same
file raw to the same server with `curl -T`; report throughput, the ratio, and the peak
RSS of agent and server.

    .venv/bin/python bench/upload_throughput.py --size-mib 2048 --rounds 3

Rounds alternate raw and agent so drift on this noisy machine hits both alike. The
agent's "upload" time runs from its manifest being registered to its receipt being
verified (creation, every PATCH, finalize); its "end to end" time adds start-up, the
settle wait and fingerprinting. Results: printed, and JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIUHEN = [sys.executable, "-m", "liuhen.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_file(path: Path, size: int) -> None:
    block = 64 * 1024 * 1024
    with open(path, "wb") as out:
        left = size
        while left:
            out.write(os.urandom(min(block, left)))
            left -= min(block, left)


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def start_server(data_dir: Path, port: int) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "raw_put_server.py"),
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read()  # loopback
    return server


def raw_round(source: Path, port: int, data_dir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            "curl",
            "-sS",
            "--fail",
            "-T",
            str(source),
            "-H",
            "Expect:",
            f"http://127.0.0.1:{port}/bench/raw/raw.bin",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    (data_dir / "raw" / "raw.bin").unlink()
    return elapsed


def prepare_agent(source: Path, port: int, server_dir: Path, work: Path, n: int) -> list[str]:
    """A bay holding the file, an agent configured and registered: its command line."""
    agent_dir = work / f"agent-{n}"
    bay = agent_dir / "bay"
    bay.mkdir(parents=True)
    os.link(source, bay / "footage.bin")  # the same bytes, no copy
    config = agent_dir / "agent.toml"
    # The footage is random bytes, not media: without broken_grace_seconds = 0 the agent
    # would wait ten minutes in case such a file is still being written.
    config.write_text(
        f'[agent]\ndevice_id = "dock-bench-{n}"\nserver_url = "http://127.0.0.1:{port}"\n'
        f'data_dir = "{agent_dir / "data"}"\nserver_public_key = "{server_dir / "keys" / "server.pub.pem"}"\n'
        f'watch = ["{bay}"]\nsettle_seconds = 0.2\nquiet_seconds = 1.0\nrescan_seconds = 1.0\n'
        "broken_grace_seconds = 0\n"
        f'[server]\ndata_dir = "{server_dir}"\n[logging]\nlevel = "WARNING"\n'
    )
    base = [*LIUHEN, "--config", str(config)]
    subprocess.run([*base, "keys", "generate", "--device"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [
            *base,
            "device",
            "register",
            f"dock-bench-{n}",
            "--public-key",
            str(agent_dir / "data" / "keys" / "device.pub.pem"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return base


def agent_journal(agent_dir: Path) -> dict[str, float]:
    """When the file reached each state (the agent's clock, seconds since the epoch)."""
    journal = sqlite3.connect(agent_dir / "data" / "journal.sqlite3")
    times = dict(journal.execute("SELECT to_state, at FROM events"))
    states = [row[0] for row in journal.execute("SELECT state FROM files")]
    journal.close()
    if states != ["receipted"]:
        raise RuntimeError(f"agent finished with {states}")
    return times


def agent_round(source: Path, port: int, server_dir: Path, work: Path, n: int) -> dict[str, float]:
    base = prepare_agent(source, port, server_dir, work, n)
    started = time.perf_counter()
    agent = subprocess.Popen([*base, "agent", "run", "--once", "--timeout", "900"])
    _, status, usage = os.wait4(agent.pid, 0)
    total = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"agent exited with {status}")
    times = agent_journal(work / f"agent-{n}")
    return {
        "upload_s": times["receipted"] - times["registered"],
        "fingerprint_s": times["fingerprinted"] - times["ready"],
        "end_to_end_s": total,
        "agent_peak_rss_mib": usage.ru_maxrss / 1024,
    }


def alternate_rounds(
    source: Path, work: Path, rounds: int
) -> tuple[list[float], list[dict[str, float]], float]:
    """Raw and agent rounds in turn against one server: the raw times, the agent's
    measures, and the server's peak RSS in MiB."""
    port = free_port()
    server_dir = work / "server"
    server = start_server(server_dir, port)
    try:
        raw, agent = [], []
        for n in range(rounds):
            raw.append(raw_round(source, port, server_dir))
            agent.append(agent_round(source, port, server_dir, work, n))
            print(
                f"round {n}: raw {raw[-1]:.2f} s, agent upload {agent[-1]['upload_s']:.2f} s",
                flush=True,
            )
        return raw, agent, peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait()


def summary(
    size_mib: int, raw: list[float], agent: list[dict[str, float]], server_rss: float
) -> dict[str, object]:
    """Throughputs from the medians, the ratio, and the peaks; every round kept."""
    raw_s = statistics.median(raw)
    upload_s = statistics.median(a["upload_s"] for a in agent)
    return {
        "size_mib": size_mib,
        "rounds": len(raw),
        "raw_curl_s": raw,
        "agent": agent,
        "raw_mib_s": size_mib / raw_s,
        "agent_upload_mib_s": size_mib / upload_s,
        "ratio_agent_to_raw": raw_s / upload_s,
        "agent_end_to_end_mib_s": size_mib / statistics.median(a["end_to_end_s"] for a in agent),
        "agent_peak_rss_mib": max(a["agent_peak_rss_mib"] for a in agent),
        "server_peak_rss_mib": server_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("curl") is None:
        sys.exit("curl is needed: apt-get install curl")
    with tempfile.TemporaryDirectory(
        prefix="liuhen-bench-", dir=os.environ.get("BENCH_DIR")
    ) as scratch:
        work = Path(scratch)
        source = work / "footage.bin"
        make_file(source, args.size_mib * 1024 * 1024)
        raw, agent, server_rss = alternate_rounds(source, work, args.rounds)
    result = summary(args.size_mib, raw, agent, server_rss)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"upload-{args.size_mib}mib.json").write_text(json.dumps(result, indent=2))
    print(
        json.dumps({k: v for k, v in result.items() if k not in ("agent", "raw_curl_s")}, indent=2)
    )


if __name__ == "__main__":
    main()
