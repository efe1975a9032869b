"""Many agents uploading at once through the cluster's nginx (issue 14, item 5): one ingest
node, then three, on the same setup (``liuhen.cluster.Cluster``: PostgreSQL index, moto's
S3, uploads as S3 parts, nginx round-robin in front).

    .venv/bin/python bench/cluster_uploads.py --agents 32 --size-mib 64 --nodes 1,3

Each agent is a real agent process (``liuhen agent run --once``), its own dock registered
with the shared index, one file of random bytes (distinct per agent: no shared object) in
its bay; it does what it does in the field: fingerprint, signed manifest, 8 MiB PATCHes,
finalize, receipt checked. All start together. Throughput: the bytes over the window from
the first manifest registered to the last receipt (the agents' journals), and over the
whole wall time (start-up and fingerprinting included). Errors: agents that exit non-zero
or end with a file not receipted, and 5xx replies in nginx's access log. Peak RSS: each
node's VmHWM, read before it stops. Results: printed, and JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from evidence.identifiers import DeviceId
from ingest.access.devices import register_device
from liuhen.cluster.cluster import Cluster
from storage.postgres import open_postgres_index

ROOT = Path(__file__).resolve().parent.parent
LIUHEN = [sys.executable, "-m", "liuhen.cli"]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def prepare_agent(cluster: Cluster, work: Path, n: int, size: int) -> list[str]:
    """A bay with its own file, an agent configured and its dock registered: its command."""
    agent_dir = work / f"agent-{n}"
    bay = agent_dir / "bay"
    bay.mkdir(parents=True)
    with open(bay / "footage.bin", "wb") as out:
        out.write(os.urandom(size))
    config = agent_dir / "agent.toml"
    # Random bytes, not media: broken_grace_seconds = 0, or the agent waits in case the
    # file is still being written.
    config.write_text(
        f'[agent]\ndevice_id = "dock-bench-{n}"\nserver_url = "{cluster.url}"\n'
        f'data_dir = "{agent_dir / "data"}"\n'
        f'server_public_key = "{cluster.keys / "server.pub.pem"}"\n'
        f'watch = ["{bay}"]\nsettle_seconds = 0.2\nquiet_seconds = 1.0\nrescan_seconds = 1.0\n'
        'broken_grace_seconds = 0\n[logging]\nlevel = "WARNING"\n'
    )
    base = [*LIUHEN, "--config", str(config)]
    subprocess.run([*base, "keys", "generate", "--device"], check=True, stdout=subprocess.DEVNULL)
    return base


async def register(cluster: Cluster, work: Path, agents: int) -> None:
    """Each dock registered with the shared index, as liuhen/cluster/footage.py does."""
    options = cluster.postgres.options()
    index = await open_postgres_index(
        work / "unused", dsn=options["dsn"], owner_dsn=options.get("owner_dsn", "")
    )
    try:
        for n in range(agents):
            key = work / f"agent-{n}" / "data" / "keys" / "device.pub.pem"
            await register_device(
                index.devices, DeviceId(f"dock-bench-{n}"), key.read_bytes(), "bench dock"
            )
    finally:
        await index.close()


def journal(agent_dir: Path) -> tuple[dict[str, float], list[str]]:
    db = sqlite3.connect(agent_dir / "data" / "journal.sqlite3")
    times = dict(db.execute("SELECT to_state, at FROM events"))
    states = [row[0] for row in db.execute("SELECT state FROM files")]
    db.close()
    return times, states


def server_errors(cluster: Cluster) -> int:
    lines = cluster.nginx.access_log.read_text("utf-8").splitlines()
    return sum(1 for line in lines if line.split(" ")[2:3] and line.split(" ")[2][:1] == "5")


def run(nodes: int, agents: int, size: int, work: Path) -> dict[str, object]:
    cluster = Cluster(work / f"cluster-{nodes}", nodes=nodes)
    cluster.start()
    try:
        folder = work / f"agents-{nodes}"
        commands = [prepare_agent(cluster, folder, n, size) for n in range(agents)]
        asyncio.run(register(cluster, folder, agents))
        load_before = os.getloadavg()
        started = time.perf_counter()
        procs = [
            subprocess.Popen([*base, "agent", "run", "--once", "--timeout", "1800"])
            for base in commands
        ]
        codes = [proc.wait() for proc in procs]
        wall = time.perf_counter() - started
        load_after = os.getloadavg()
        rss = {node.name: peak_rss_mib(node.process.pid) for node in cluster.nodes if node.process}
        fivexx = server_errors(cluster)
        patches = Counter(cluster.nginx.nodes_of("PATCH", "/files/"))
    finally:
        cluster.stop()
    registered, receipted, failed = [], [], 0
    for n in range(agents):
        times, states = journal(work / f"agents-{nodes}" / f"agent-{n}")
        if states != ["receipted"] or codes[n] != 0:
            failed += 1
            continue
        registered.append(times["registered"])
        receipted.append(times["receipted"])
    mib = agents * size / 2**20
    window = max(receipted) - min(registered) if receipted else float("nan")
    return {"nodes": nodes, "agents": agents, "size_mib": size / 2**20, "failed_agents": failed,
            "nginx_5xx": fivexx, "upload_window_s": window, "wall_s": wall,
            "upload_mib_s": mib / window, "wall_mib_s": mib / wall, "node_peak_rss_mib": rss,
            "patches_per_node": dict(patches), "load_before": load_before, "load_after": load_after}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=32)
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--nodes", default="1,3", help="node counts, run in this order")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="liuhen-bench-", dir=os.environ.get("BENCH_DIR")) as t:
        Path(t).chmod(0o755)  # PostgreSQL's own user goes through it to its folder
        for nodes in (int(text) for text in args.nodes.split(",")):
            result = run(nodes, args.agents, args.size_mib * 2**20, Path(t))
            print(json.dumps(result), flush=True)
            results.append(result)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "cluster-uploads.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
