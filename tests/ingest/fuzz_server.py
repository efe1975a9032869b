"""A real ingest server on its own thread and event loop, for tests that drive it from
synchronous code (Hypothesis), with raw HTTP so a request can be as wrong as any client's."""

from __future__ import annotations

import asyncio
import http.client
import json
import sqlite3
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from evidence.case_number import CaseNumberRule
from evidence.digest import fingerprint_file
from ingest.http.server import running
from ingest.server_config import IngestConfig
from ingest.startup import IngestServer, open_server
from tests.conftest import Clock

T = TypeVar("T")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class ThreadedServer:
    """Start with ``start()``; ``call`` runs a coroutine on the server's loop."""

    def __init__(self, config: IngestConfig, rule: CaseNumberRule) -> None:
        self.config = config
        self.rule = rule
        self.clock = Clock()
        self.loop = asyncio.new_event_loop()
        self.ctx: IngestServer | None = None
        self.url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fuzz-server", daemon=True)

    def start(self) -> ThreadedServer:
        self._thread.start()
        if not self._ready.wait(30) or self._failure is not None:
            raise RuntimeError(f"the server did not start: {self._failure!r}")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported by start()
            self._failure = exc
            self._ready.set()
        finally:
            self.loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        self.ctx = await open_server(self.config, self.rule, self.clock)
        try:
            async with running(self.ctx, "127.0.0.1", 0) as url:
                self.url = url
                self._ready.set()
                await self._stop.wait()
        finally:
            await self.ctx.close()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | None,
        timeout: float = 5.0,
    ) -> Answer | None:
        """One request on a fresh connection; None when the server (rightly) waited for a
        body that never came and the socket timed out."""
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            if body is not None and "Content-Length" not in headers:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return Answer(response.status, response.read(), dict(response.getheaders()))
        except TimeoutError:
            return None
        except (ConnectionError, http.client.HTTPException):
            return Answer(0, b"")  # the server closed the connection on a refused body
        finally:
            connection.close()


def half_stored(data_dir: Path) -> list[str]:
    """What a partial write would leave behind, read straight from the index and disk."""
    problems: list[str] = []
    conn = sqlite3.connect(f"file:{data_dir / 'index.sqlite3'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        for row in conn.execute("SELECT evidence_id, role, body FROM manifests"):
            document = json.loads(row["body"])
            session = document.get("session")
            if (
                session is not None
                and not conn.execute(
                    "SELECT 1 FROM segments WHERE evidence_id = ?", (row["evidence_id"],)
                ).fetchone()
            ):
                problems.append(f"{row['evidence_id']}/{row['role']}: session without segment")
        live = {
            row["upload_id"]
            for row in conn.execute("SELECT upload_id FROM uploads WHERE state = 'open'")
        }
        parts = {path.stem for path in (data_dir / "uploads").glob("*.part")}
        problems += [f"open upload {u} has no partial file" for u in sorted(live - parts)]
        problems += [f"partial file {u} has no open upload" for u in sorted(parts - live)]
        for row in conn.execute("SELECT evidence_id, role, sha256, size, locator FROM objects"):
            stored = data_dir / "store" / row["locator"]
            if not stored.is_file() or stored.stat().st_size != row["size"]:
                problems.append(f"{row['evidence_id']}/{row['role']}: stored bytes missing")
            elif fingerprint_file(stored).sha256.hex != row["sha256"]:
                problems.append(f"{row['evidence_id']}/{row['role']}: stored bytes differ")
    finally:
        conn.close()
    return problems
