"""One docking station and one ingest server on this machine, each its own process, with
the fault proxy between them: what a scenario test or a chaos trial runs against.

    <root>/server/          the server's data directory (or ``server_dir``: a small tmpfs)
    <root>/agent/           the agent's data directory
    <root>/dock/bay-1, -2   the folders the agent watches
    <root>/server.toml, agent.toml, logs/{server,agent}.log

The agent talks to the proxy, the proxy to the server: the agent's configuration names
the proxy, which stays on its port while the server is killed and started again (on a
new port the proxy is told about). Keys are made and the device registered in-process
before the server first starts, as an operator would with ``liuhen device register``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from agent.config import AgentConfig
from agent.watcher import walk
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PublicKey, public_key_pem
from ingest.access.devices import register_device
from liuhen.faults.books import AgentBooks, ServerBooks
from liuhen.faults.processes import Process, liuhen_command
from liuhen.faults.proxy import FaultProxy
from liuhen.server_host import server_books
from liuhen.settings import load_settings
from runtime.key_files import generate_key_pair, load_public_key

__all__ = ["AGENT_DEFAULTS", "DEVICE_ID", "Site"]

DEVICE_ID = "dock-chaos-01"
LISTENING = "ingest server listening on "

# Quick to notice files and quick to retry, so a scenario takes seconds. Random bytes are
# not media: without broken_grace_seconds = 0 the agent would wait for them to be fixed.
AGENT_DEFAULTS: dict[str, Any] = {
    "settle_seconds": 0.2,
    "quiet_seconds": 1.0,
    "rescan_seconds": 0.5,
    "broken_grace_seconds": 0.0,
    "retry_base_seconds": 0.05,
    "retry_cap_seconds": 0.5,
    "held_retry_seconds": 1.0,
    "held_retry_cap_seconds": 2.0,
    "request_timeout_seconds": 10.0,
    "max_parallel": 2,
    "make_proxies": False,
}


def _toml(section: str, values: Mapping[str, Any]) -> str:
    """One TOML table; JSON's strings, numbers, booleans and arrays are TOML's too."""
    lines = [f"[{section}]"]
    lines += [f"{name} = {json.dumps(value, ensure_ascii=False)}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


class Site:
    def __init__(
        self,
        root: Path,
        *,
        server_dir: Path | None = None,
        agent: Mapping[str, Any] | None = None,
        server: Mapping[str, Any] | None = None,
    ) -> None:
        self.root = root
        self.server_dir = server_dir or root / "server"
        self.agent_dir = root / "agent"
        self.bays = (root / "dock" / "bay-1", root / "dock" / "bay-2")
        self.agent_options = {**AGENT_DEFAULTS, **(agent or {})}
        self.server_options = dict(server or {})
        self.server_toml = root / "server.toml"
        self.agent_toml = root / "agent.toml"
        self.proxy = FaultProxy("http://127.0.0.1:9")  # aimed at the server once it runs
        self.server_url = ""
        self.server = Process(
            "server",
            liuhen_command(self.server_toml, "ingest", "serve"),
            root / "logs" / "server.log",
        )
        self.agent = Process("agent", [], root / "logs" / "agent.log")
        self.server_books = ServerBooks(self.server_dir)
        self.agent_books = AgentBooks(self.agent_dir)

    async def __aenter__(self) -> Site:
        await self.proxy.start()
        await self._prepare()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.agent.close()
        self.server.close()
        await self.proxy.close()

    @property
    def agent_config(self) -> AgentConfig:
        return load_settings(self.agent_toml, environ={}).agent

    @property
    def server_key(self) -> Ed25519PublicKey:
        return load_public_key(self.server_dir / "keys" / "server.pub.pem")

    async def _prepare(self) -> None:
        for bay in self.bays:
            bay.mkdir(parents=True, exist_ok=True)
        server = {"data_dir": str(self.server_dir), "host": "127.0.0.1", "port": 0}
        # One server process per area here: a crash's orphan is reclaimed as it restarts.
        server["orphan_grace_seconds"] = 0
        self.server_toml.write_text(_toml("server", {**server, **self.server_options}))
        self._write_agent_toml()
        config = self.agent_config
        key = generate_key_pair(config.key_path, config.public_key_path)
        async with server_books(load_settings(self.server_toml, environ={})) as parts:
            await register_device(
                parts.index.devices, DeviceId(DEVICE_ID), public_key_pem(key.public_key())
            )

    def _write_agent_toml(self) -> None:
        agent = {
            "device_id": DEVICE_ID,
            "server_url": self.proxy.url,
            "data_dir": str(self.agent_dir),
            "server_public_key": str(self.server_dir / "keys" / "server.pub.pem"),
            "watch": [str(bay) for bay in self.bays],
            **self.agent_options,
        }
        self.agent_toml.write_text(_toml("agent", agent) + _toml("logging", {"level": "INFO"}))

    # ---- the server

    async def start_server(self, failpoints: str = "") -> str:
        self.server.start({"LIUHEN_FAILPOINTS": failpoints})  # never one of the caller's
        line = await self.server.wait_for_output(LISTENING, 60)
        self.server_url = line.split(LISTENING, 1)[1].strip()
        self.proxy.retarget(self.server_url)
        return self.server_url

    async def kill_server(self) -> int | None:
        return await self.server.kill()

    # ---- the agent

    def start_agent(self, failpoints: str = "", *, once: bool = True, **options: Any) -> None:
        """Run ``liuhen agent run`` (``--once``: until every file found is finished)."""
        if options:
            self.agent_options.update(options)
        self._write_agent_toml()
        self.agent.argv = liuhen_command(
            self.agent_toml, "agent", "run", *(["--once"] if once else [])
        )
        self.agent.start({"LIUHEN_FAILPOINTS": failpoints})  # never one of the caller's

    async def kill_agent(self) -> int | None:
        return await self.agent.kill()

    # ---- the footage

    def sources(self) -> list[Path]:
        """Every file in the bays the agent is meant to take."""
        return sorted(walk(self.bays, AgentConfig().ignore))

    def put(self, name: str, size: int, *, bay: int = 0) -> Path:
        """A file of ``size`` random bytes, written beside and moved into a bay whole."""
        path = self.bays[bay] / name
        partial = path.with_name(f".{name}.tmp")
        with open(partial, "wb") as out:
            left = size
            while left:
                block = min(left, 8 * 1024 * 1024)
                out.write(os.urandom(block))
                left -= block
        partial.rename(path)
        return path
