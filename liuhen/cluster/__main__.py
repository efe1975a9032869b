"""``python -m liuhen.cluster start|stop|demo`` (``./scripts/cluster``, docs/cluster.md).

``start`` runs in the foreground until Ctrl-C or ``stop`` (from another terminal: it
signals the process named in the state folder's ``cluster.pid``); ``demo`` uploads the
demo's footage through a running cluster's nginx."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
from collections import Counter
from pathlib import Path

from liuhen.cluster.cluster import Cluster

DEFAULT_STATE = Path(tempfile.gettempdir()) / f"liuhen-cluster-{os.getuid()}"


def _start(state: Path, port: int) -> int:
    cluster = Cluster(state, port=port)
    print(f"starting PostgreSQL, S3 (moto), {len(cluster.nodes)} ingest nodes and nginx in {state}")
    stop = False

    def stopping(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    cluster.start()
    try:
        (state / "cluster.pid").write_text(str(os.getpid()))
        about = {"url": cluster.url, "postgres": cluster.postgres.options(),
                 "server_public_key": str(cluster.keys / "server.pub.pem")}  # fmt: skip
        (state / "cluster.json").write_text(json.dumps(about, indent=2))
        for node in cluster.nodes:
            print(f"  {node.name}  {node.url}  log {node.log_path}")
        print(f"\nLiuhen cluster: {cluster.url}   (Ctrl-C or ./scripts/cluster stop to stop)")
        while not stop:
            time.sleep(0.2)
    finally:
        print("stopping the cluster")
        cluster.stop()
        (state / "cluster.pid").unlink(missing_ok=True)
    return 0


def _stop(state: Path) -> int:
    pid_file = state / "cluster.pid"
    if not pid_file.exists():
        print(f"no cluster running from {state}")
        return 0
    pid = int(pid_file.read_text())
    os.kill(pid, signal.SIGTERM)
    for _ in range(600):
        if not pid_file.exists():
            print("cluster stopped")
            return 0
        time.sleep(0.1)
    print(f"the cluster (pid {pid}) did not stop within a minute")
    return 1


def _demo(state: Path) -> int:
    from liuhen.cluster.footage import upload_demo_footage
    from liuhen.cluster.nginx import ClusterNginx

    about = json.loads((state / "cluster.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="liuhen-cluster-demo-"))
    result = asyncio.run(
        upload_demo_footage(about["url"], Path(about["server_public_key"]), about["postgres"], work)
    )
    print(f"uploaded through {about['url']}: {result.receipted} of {result.recordings} recordings "
          f"receipted, with {result.copies} review copies")  # fmt: skip
    taken = Counter(ClusterNginx(state / "nginx", 0, []).nodes_of("PATCH", "/files/"))
    print("PATCHes per node (nginx's access log):", dict(taken))
    return 0 if result.receipted == result.recordings > 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=__doc__)
    parser.add_argument("action", nargs="?", default="start", choices=("start", "stop", "demo"))
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE, help="the cluster's folder")
    parser.add_argument("--port", type=int, default=8740, help="nginx's port (default 8740)")
    args = parser.parse_args()
    state = args.state.resolve()
    if args.action == "stop":
        return _stop(state)
    if args.action == "demo":
        return _demo(state)
    return _start(state, args.port)


if __name__ == "__main__":
    raise SystemExit(main())
