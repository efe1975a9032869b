"""A real PostgreSQL for the tests: Debian's binaries (``scripts/lib.sh`` installs the
``postgresql`` package), a cluster made by ``initdb`` in a temporary folder, listening on
a unix socket in that folder and on a free loopback port. No Docker.

initdb and the server refuse to run as root, so under root they run as the ``postgres``
user Debian's package creates (``runuser``), in a folder that user owns. The cluster is
for tests only: trust authentication on its socket, fsync off (a stopped server loses
nothing it committed: the page cache outlives it; synchronous_commit stays on, or an
immediate stop would lose the last commits).

Each test gets a database of its own (``new_database``), owned by ``liuhen_owner`` (who
creates the schema), while the server connects as ``liuhen``, a member of
``liuhen_server``: the deployment docs/storage-backends.md describes.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.mosquitto import free_port

__all__ = ["OWNER_ROLE", "SERVER_ROLE", "SUPERUSER", "TestPostgres", "postgres_bin"]

SUPERUSER = "postgres"
SERVER_ROLE = "liuhen"
OWNER_ROLE = "liuhen_owner"
_TEMPLATE = "index_template"
_VERSIONS = ("17", "16", "15")


def postgres_bin() -> Path | None:
    """Debian keeps the server's binaries off PATH, by major version."""
    for version in _VERSIONS:
        folder = Path("/usr/lib/postgresql") / version / "bin"
        if (folder / "initdb").exists():
            return folder
    return None


class TestPostgres:
    __test__ = False  # not a test class, for pytest

    def __init__(self) -> None:
        folder = postgres_bin()
        if folder is None:
            raise RuntimeError("PostgreSQL is not installed: run ./scripts/test (postgresql)")
        self._bin = folder
        self._as_root = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="liuhen-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._names = itertools.count(1)
        self._templated = False
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self._bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> None:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "--no-sync")  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c fsync=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        log = str(self.root / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        """As a crash would: an immediate shutdown, connections cut."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"host={self.root} port={self.port} dbname={database} user={user}"

    def admin(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.dsn(database), autocommit=True) as conn:
            conn.execute(sql)

    def prepare(self) -> None:
        self.admin(
            f"CREATE ROLE {OWNER_ROLE} LOGIN; CREATE ROLE liuhen_server NOLOGIN; "
            f"CREATE ROLE {SERVER_ROLE} LOGIN IN ROLE liuhen_server"
        )

    def new_database(self, *, empty: bool = False) -> dict[str, str]:
        """A fresh database: the index's options (its DSN as the server's role, and as the
        owner's, who creates the schema). Copied from a database the index's schema was
        created in once (as the server creates it: storage/postgres/database.py), which
        is quicker than creating it per test; ``empty`` for one without it."""
        name = f"index_{os.getpid()}_{next(self._names)}"
        template = "template0" if empty else self._template()
        self.admin(f"CREATE DATABASE {name} OWNER {OWNER_ROLE} TEMPLATE {template}")
        return {"dsn": self.dsn(name, SERVER_ROLE), "owner_dsn": self.dsn(name, OWNER_ROLE)}

    def _template(self) -> str:
        if not self._templated:
            from storage.postgres.connection import connect
            from storage.postgres.database import create_schema

            self.admin(f"CREATE DATABASE {_TEMPLATE} OWNER {OWNER_ROLE} TEMPLATE template0")
            conn = connect(self.dsn(_TEMPLATE, OWNER_ROLE))
            try:
                create_schema(conn)
            finally:
                conn.raw.close()
            self._templated = True
        return _TEMPLATE


def started() -> TestPostgres:
    postgres = TestPostgres()
    try:
        postgres.start()
        postgres.prepare()
    except BaseException:
        postgres.close()
        raise
    return postgres
