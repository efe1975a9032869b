"""The cluster's ingest nodes: ``liuhen ingest serve`` processes on loopback ports, each
with a data folder of its own (keys, spool files) and one configuration file, sharing the
PostgreSQL index and the S3 bucket. The server's key and the custody log's key are made
once and copied to every node: one server signs every receipt, one log signs every
checkpoint, whichever node did the work."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evidence.wire import HEALTH
from ingest.custody_log.identity import ensure_log_key
from ingest.server_config import IngestConfig
from ingest.startup import ensure_server_key

__all__ = ["Node", "make_keys", "node_toml"]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def node_toml(sections: Mapping[str, Mapping[str, Any]]) -> str:
    """A TOML file of flat sections (``server``, ``server.s3``…)."""
    lines = []
    for name, options in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in options.items()]
        lines.append("")
    return "\n".join(lines)


def make_keys(data_dir: Path) -> None:
    """The server's key and the log's, made in ``data_dir/keys`` (as on a first start)."""
    config = IngestConfig(data_dir=data_dir)
    ensure_server_key(config)
    ensure_log_key(config)


class Node:
    def __init__(self, name: str, root: Path, port: int, sections: dict[str, dict[str, Any]]):
        self.name = name
        self.root = root
        self.port = port
        self.data_dir = root / "data"
        self.config_path = root / "liuhen.toml"
        self.log_path = root / "node.log"
        server = {"host": "127.0.0.1", "port": port, "data_dir": str(self.data_dir)}
        self.sections = {**sections, "server": {**server, **sections.get("server", {})}}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def prepare(self, keys: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(node_toml(self.sections), "utf-8")
        if not (self.data_dir / "keys").exists():
            shutil.copytree(keys, self.data_dir / "keys")

    def start(self, environment: Mapping[str, str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIUHEN_")}
        env.update({"AWS_ACCESS_KEY_ID": "cluster", "AWS_SECRET_ACCESS_KEY": "cluster"})
        env.update(environment or {})
        command = [sys.executable, "-m", "liuhen.cli", "--config", str(self.config_path)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [*command, "ingest", "serve"], stdout=log, stderr=subprocess.STDOUT, env=env
            )

    def wait_ready(self, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while True:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped at start: see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + HEALTH, timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not ready after {within} s: see {self.log_path}")
            time.sleep(0.1)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """As a crash would: SIGKILL, nothing flushed."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def wait_exit(self, within: float) -> int | None:
        return None if self.process is None else self.process.wait(within)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None
