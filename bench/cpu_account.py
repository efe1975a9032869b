"""Where the CPU of an upload goes, per GiB uploaded: the server's by section, the agent's
by phase. The real agent (`liuhen agent run --once`, as `bench/upload` runs it) uploads
a file of random bytes to the real server, round after round.

    .venv/bin/python bench/cpu_account.py --size-mib 1024 --rounds 3

How it is measured:

- **server**: timed sections (``runtime/cpu_account.py``, on with ``BENCH_CPU_ACCOUNT=1``):
  ``time.thread_time`` around the write to the partial file, each SHA-256 pass, the fsync
  and every index call; the event loop's thread read whole from /proc (system time:
  mostly copying the body out of the socket, "receive"; user time: HTTP parsing, aiohttp's
  buffers, the tus handlers: "event loop"); "other" is the rest of the process's time
  (``os.times``: worker threads' start-up, finalize's link and receipt, the garbage
  collector). Read at the bench server's ``GET /bench/cpu`` before and after each round.
- **agent**: its process's user+system time sampled from /proc every 20 ms and split at
  the times its journal records (start-up and settling until ``ready``; fingerprint and
  probe until ``fingerprinted``; signing and registering; the upload from ``registered``
  to ``receipted``); the agent is measured as it is, not instrumented.

Results: printed, and JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_compare import cpu_seconds
from upload_throughput import (
    ROOT,
    agent_journal,
    free_port,
    make_file,
    peak_rss_mib,
    prepare_agent,
    start_server,
)

# Phases of the agent, each ending at the journal state named.
PHASES = (
    ("start-up and settle", "ready"),
    ("fingerprint and probe", "fingerprinted"),
    ("sign and register", "registered"),
    ("upload", "receipted"),
)


def server_account(port: int) -> dict[str, float]:
    url = f"http://127.0.0.1:{port}/bench/cpu"
    with urllib.request.urlopen(url, timeout=10) as reply:
        answer = json.loads(reply.read())
    if not answer["enabled"]:
        raise RuntimeError("the server's CPU account is off (BENCH_CPU_ACCOUNT=1)")
    return dict(answer["sections"])


def sampled_run(command: list[str]) -> tuple[list[tuple[float, float]], float, float]:
    """Run the agent, sampling its CPU seconds; the samples (epoch time, CPU), its total
    CPU (from wait4, the last word) and its peak RSS in MiB."""
    agent = subprocess.Popen(command)
    samples = [(time.time(), 0.0)]
    while True:
        pid, status, usage = os.wait4(agent.pid, os.WNOHANG)
        if pid:
            break
        samples.append((time.time(), cpu_seconds(agent.pid)))
        time.sleep(0.02)
    agent.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if agent.returncode != 0:
        raise RuntimeError(f"agent exited with {agent.returncode}")
    total = usage.ru_utime + usage.ru_stime
    samples.append((time.time(), total))
    return samples, total, usage.ru_maxrss / 1024


def cpu_at(samples: list[tuple[float, float]], when: float) -> float:
    """The agent's CPU seconds at ``when``, from the nearest sample at or before it."""
    index = bisect.bisect_right([t for t, _ in samples], when) - 1
    return samples[max(index, 0)][1]


def agent_phases(samples: list[tuple[float, float]], times: dict[str, float]) -> dict[str, float]:
    phases, before = {}, 0.0
    for name, state in PHASES:
        at = cpu_at(samples, times[state])
        phases[name] = at - before
        before = at
    phases["exit"] = samples[-1][1] - before
    return phases


def one_round(source: Path, port: int, server_dir: Path, work: Path, n: int) -> dict[str, Any]:
    command = [*prepare_agent(source, port, server_dir, work, n), "agent", "run", "--once"]
    server_account(port)  # drop what the agent's registration cost
    samples, total, rss = sampled_run([*command, "--timeout", "900"])
    server = server_account(port)
    times = agent_journal(work / f"agent-{n}")
    return {
        "server": server,
        "agent": {"total": total, **agent_phases(samples, times)},
        "upload_s": times["receipted"] - times["registered"],
        "agent_peak_rss_mib": rss,
    }


def per_gib(rounds: list[dict[str, Any]], side: str, gib: float) -> dict[str, str]:
    names = list(rounds[0][side])
    table = {}
    for name in names:
        values = [r[side][name] / gib for r in rounds]
        table[name] = f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"
    return table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ["BENCH_CPU_ACCOUNT"] = "1"  # the server started below inherits it
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="liuhen-cpu-", dir=os.environ.get("BENCH_DIR")) as d:
        work = Path(d)
        source = work / "footage.bin"
        make_file(source, args.size_mib * 2**20)
        port, server_dir = free_port(), work / "server"
        server = start_server(server_dir, port)
        try:
            rounds = []
            for n in range(args.rounds):
                rounds.append(one_round(source, port, server_dir, work, n))
                print(f"round {n}: upload {rounds[-1]['upload_s']:.2f} s", flush=True)
            server_rss = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait()
    gib = args.size_mib / 1024
    result = {
        "size_mib": args.size_mib,
        "rounds": rounds,
        "server_s_per_gib": per_gib(rounds, "server", gib),
        "agent_s_per_gib": per_gib(rounds, "agent", gib),
        "upload_mib_s": statistics.median(args.size_mib / r["upload_s"] for r in rounds),
        "peak_rss_mib": {
            "server": server_rss,
            "agent": max(r["agent_peak_rss_mib"] for r in rounds),
        },
        "load_average_end": os.getloadavg(),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"cpu-account-{args.size_mib}mib.json").write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "rounds"}, indent=2))


if __name__ == "__main__":
    main()
