"""Read-only looks at the server's and the agent's books, from their files: the invariants
are checked whether the processes run, were killed a moment ago, or have stopped.

Each look opens the SQLite file afresh with ``query_only`` on (a crashed writer's WAL is
recovered as any reader would), reads, and closes: nothing here writes a row. The server's
tables are read with plain SQL (storage/sqlite/schema.sql), not through ``storage``, whose
index opens for writing and migrates; tests/faults/test_invariants.py keeps the two in step.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from agent.file_row import FileRow, row_from
from evidence.case_number import CaseNumberRule
from evidence.identifiers import Role
from evidence.manifest import Manifest

__all__ = ["AgentBooks", "ServerBooks", "StoredObject", "UploadRow", "sha256_of"]

_BUFFER = 1024 * 1024


def sha256_of(path: Path, length: int | None = None) -> str:
    """The SHA-256 (hex) of ``path``, or of its first ``length`` bytes."""
    digest = hashlib.sha256()
    left = length
    with open(path, "rb") as handle:
        while left is None or left > 0:
            block = handle.read(_BUFFER if left is None else min(_BUFFER, left))
            if not block:
                break
            digest.update(block)
            if left is not None:
                left -= len(block)
    return digest.hexdigest()


@contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only = ON")
        yield conn


@dataclass(frozen=True, slots=True)
class StoredObject:
    evidence_id: str
    role: str
    sha256: str
    size: int
    manifest_sha256: str
    locator: str


@dataclass(frozen=True, slots=True)
class UploadRow:
    upload_id: str
    evidence_id: str
    role: str
    length: int
    offset: int
    state: str


class ServerBooks:
    def __init__(self, data_dir: Path, rule: CaseNumberRule | None = None) -> None:
        self.data_dir = data_dir
        self.rule = rule or CaseNumberRule()

    @property
    def index_path(self) -> Path:
        return self.data_dir / "index.sqlite3"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def blob_path(self, locator: str) -> Path:
        return self.data_dir / "store" / locator

    def partial_path(self, upload_id: str) -> Path:
        return self.uploads_dir / f"{upload_id}.part"

    def partial_files(self) -> list[Path]:
        if not self.uploads_dir.exists():
            return []
        return sorted(self.uploads_dir.glob("*.part"))

    def objects(self) -> list[StoredObject]:
        if not self.index_path.exists():
            return []
        with _reading(self.index_path) as conn:
            rows = conn.execute(
                "SELECT evidence_id, role, sha256, size, manifest_sha256, locator FROM objects"
            ).fetchall()
        return [StoredObject(*row) for row in rows]

    def uploads(self) -> list[UploadRow]:
        if not self.index_path.exists():
            return []
        with _reading(self.index_path) as conn:
            rows = conn.execute(
                "SELECT upload_id, evidence_id, role, length, upload_offset, state FROM uploads"
            ).fetchall()
        return [UploadRow(*row) for row in rows]

    def manifest(self, evidence_id: str, role: str) -> Manifest:
        with _reading(self.index_path) as conn:
            row = conn.execute(
                "SELECT body FROM manifests WHERE evidence_id = ? AND role = ?",
                (evidence_id, role),
            ).fetchone()
        if row is None:
            raise LookupError(f"no manifest {evidence_id}/{role} in {self.index_path}")
        return Manifest.parse(bytes(row[0]), self.rule)

    def originals(self) -> list[StoredObject]:
        return [stored for stored in self.objects() if stored.role == Role.ORIGINAL.value]


class AgentBooks:
    def __init__(self, data_dir: Path) -> None:
        self.journal_path = data_dir / "journal.sqlite3"

    def files(self) -> list[FileRow]:
        if not self._started():
            return []
        with _reading(self.journal_path) as conn:
            return [row_from(row) for row in conn.execute("SELECT * FROM files ORDER BY id")]

    def _started(self) -> bool:
        """The journal exists and has its tables (an agent starting makes it, then them)."""
        if not self.journal_path.exists():
            return False
        with _reading(self.journal_path) as conn:
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone()
        return found is not None

    def states(self) -> dict[str, int]:
        """How many rows are in each state: cheap enough to poll with thousands of files."""
        if not self._started():
            return {}
        with _reading(self.journal_path) as conn:
            return dict(conn.execute("SELECT state, count(*) FROM files GROUP BY state"))

    def receipt_signatures(self) -> dict[int, bytes | None]:
        """File id → the server's signature over its receipt (not part of ``FileRow``)."""
        if not self._started():
            return {}
        with _reading(self.journal_path) as conn:
            rows = conn.execute("SELECT id, receipt_signature FROM files").fetchall()
        return {row[0]: None if row[1] is None else bytes(row[1]) for row in rows}
