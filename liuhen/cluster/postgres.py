"""A throwaway PostgreSQL for the cluster: Debian's binaries, a cluster made by ``initdb``
in the cluster's state folder, listening on a socket there and on a loopback port.

initdb and the server refuse to run as root, so under root they run as the ``postgres``
user Debian's package creates (``runuser``), in a folder that user owns. Trust
authentication on loopback and the socket: a demonstration, never a deployment (point
``server.postgres.dsn`` at your own PostgreSQL there: docs/cluster.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["ClusterPostgres", "postgres_bin"]

_VERSIONS = ("17", "16", "15")
DATABASE = "liuhen"


def postgres_bin() -> Path | None:
    """Debian keeps the server's binaries off PATH, by major version."""
    for version in _VERSIONS:
        folder = Path("/usr/lib/postgresql") / version / "bin"
        if (folder / "initdb").exists():
            return folder
    return None


class ClusterPostgres:
    def __init__(self, root: Path, port: int) -> None:
        folder = postgres_bin()
        if folder is None:
            raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        self._bin = folder
        self._as_root = os.geteuid() == 0
        self.root = root
        self.data = root / "data"
        self.port = port

    def _run(self, *args: str) -> str:
        command = [str(self._bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "--no-sync")  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c max_connections=200"
        )
        log = str(self.root / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")
        self._prepare()

    def _psql(self, sql: str, database: str = "postgres") -> str:
        return self._run("psql", "-h", str(self.root), "-p", str(self.port), "-U", "postgres",
                         "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql)  # fmt: skip

    def _prepare(self) -> None:
        """The roles docs/storage-backends.md describes, and the index's database."""
        if self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'").strip():  # noqa: S608 - a constant
            return
        self._psql(
            "CREATE ROLE liuhen_owner LOGIN; CREATE ROLE liuhen_server NOLOGIN; "
            "CREATE ROLE liuhen LOGIN IN ROLE liuhen_server"
        )
        self._psql(f"CREATE DATABASE {DATABASE} OWNER liuhen_owner TEMPLATE template0")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def dsn(self, user: str = "liuhen") -> str:
        return f"host={self.root} port={self.port} dbname={DATABASE} user={user}"

    def options(self) -> dict[str, str]:
        """``server.postgres``: the nodes connect as ``liuhen``; the owner makes the schema."""
        return {"dsn": self.dsn(), "owner_dsn": self.dsn("liuhen_owner")}
