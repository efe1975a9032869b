"""The cluster, started and stopped as one: S3, PostgreSQL, the nodes (the first alone,
so that it makes the index's schema and its own device, then the others), nginx.

Throwaway: every start begins empty (moto keeps its bucket in memory, so an index kept
from an earlier start would name objects no longer there)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

from evidence.wire import HEALTH
from liuhen.cluster.nginx import ClusterNginx
from liuhen.cluster.nodes import Node, make_keys
from liuhen.cluster.postgres import ClusterPostgres
from liuhen.cluster.s3 import ClusterS3

__all__ = ["Cluster", "free_port"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    def __init__(
        self,
        state: Path,
        *,
        port: int = 0,
        nodes: int = 3,
        server: dict[str, Any] | None = None,
        s3: dict[str, Any] | None = None,
    ) -> None:
        self.state = state
        self.s3 = ClusterS3(free_port())
        self.postgres = ClusterPostgres(state / "postgres", free_port())
        shared = {
            "server": {
                "index": "postgres",
                "blob_store": "s3",
                "upload_area": "s3",
                "trusted_proxies": ["127.0.0.1"],  # nginx: X-Forwarded-For names the client
                **(server or {}),
            },
            "server.postgres": self.postgres.options(),
            "server.s3": self.s3.options(**(s3 or {})),
        }
        self.nodes = [
            Node(f"node-{n}", state / f"node-{n}", free_port(), shared) for n in range(1, nodes + 1)
        ]
        ports = [node.port for node in self.nodes]
        self.nginx = ClusterNginx(state / "nginx", port or free_port(), ports)

    @property
    def url(self) -> str:
        return self.nginx.url

    @property
    def keys(self) -> Path:
        """The server's and the log's keys, which every node holds a copy of."""
        return self.state / "keys"

    def start(self) -> None:
        shutil.rmtree(self.state, ignore_errors=True)
        self.state.mkdir(parents=True)
        self.state.chmod(0o755)  # PostgreSQL's own user goes through it to its folder
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        self.s3.start()
        self.s3.make_bucket()
        self.postgres.start()
        make_keys(self.state)
        first, *others = self.nodes
        for node in self.nodes:
            node.prepare(self.keys)
        first.start()
        first.wait_ready()
        for node in others:
            node.start()
        for node in others:
            node.wait_ready()
        self.nginx.start()
        self._wait_for_nginx()

    def _wait_for_nginx(self, within: float = 20.0) -> None:
        deadline = time.monotonic() + within
        while True:
            try:
                with urllib.request.urlopen(self.url + HEALTH, timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            except OSError:
                if not self.nginx.running() or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: see {self.nginx.root}") from None
            time.sleep(0.1)

    def restart(self, node: Node, environment: dict[str, str] | None = None) -> None:
        """Start a node that stopped (or was killed) again, on its port."""
        node.stop()
        node.start(environment)
        node.wait_ready()

    def stop(self) -> None:
        """Everything, in the reverse order; what did not start is passed over."""
        for step in (self.nginx.stop, *(node.stop for node in self.nodes)):
            with contextlib.suppress(Exception):
                step()
        with contextlib.suppress(Exception):
            self.postgres.stop()
        self.s3.stop()
