"""Synthetic data for the compliance benchmark, written straight into an index built from
the real schema (storage/sqlite/schema.sql): cases, acts, stored originals with their
manifests, exemptions, decisions and flags.

Per act, about ten recordings: nine that tile its window, as cameras split recordings
(85% of acts tiled whole, with up to 3 s of skew between files; 10% with one hole of
30-300 s; 5% with none, their nine recordings filed under a case number nobody
registered), and one more: either a recording without a case number from the act's
camera (a suggestion) or one of the act's case far from any act (unassigned). 1% of
recordings have no end time, 2% arrive more than a day late (each with its late_upload
flag, as finalize raises it). 60% of acts are of a type whose duty is full. Everything
comes from one seeded random generator: the same sizes give the same database.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from evidence.catalogue import Catalogue, Duty
from storage.sqlite.database import index_schema

BASE = datetime(2025, 1, 1, tzinfo=UTC)
AGENCIES = [f"第{n:02d}执法局" for n in range(1, 21)]
BATCH = 50_000


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def evidence_id(n: int) -> str:
    return f"{n >> 48 & 0xFFFFFFFF:08x}-{n >> 32 & 0xFFFF:04x}-4000-8000-{n & 0xFFFFFFFFFFFF:012x}"


def _manifest(serial: str, n: int) -> bytes:
    """About the size of a real manifest for a short clip: the origin plus 8 chunk hashes."""
    return json.dumps(
        {
            "type": "liuhen.manifest",
            "version": 1,
            "evidence_id": evidence_id(n),
            "origin": {"device_model": "DSJ-V9", "device_serial": serial, "software": "bench"},
            "chunks": {"size": 8388608, "sha256": [f"{n:064x}"] * 8, "root": f"{n:064x}"},
        }
    ).encode()


class Generator:
    def __init__(self, acts: int, seed: int = 7) -> None:
        self.acts = acts
        self.random = random.Random(seed)
        catalogue = Catalogue.default()
        self.full = catalogue.codes(Duty.FULL)
        self.as_needed = catalogue.codes(Duty.AS_NEEDED)
        self.recordings = 0

    def _recording(
        self, case: str | None, start: datetime, end: datetime, officer: str, serial: str
    ) -> tuple[tuple[object, ...], tuple[object, ...]]:
        n = self.recordings = self.recordings + 1
        late = self.random.random() < 0.02
        received = end + (timedelta(hours=30) if late else timedelta(minutes=20))
        ended = None if self.random.random() < 0.01 else when(end)
        eid = evidence_id(n)
        digest = f"{n:064x}"
        obj = (
            eid, "original", "dock-bench", n, digest, digest, 10_000_000, digest, "local",
            f"sha256/{digest[:2]}/{digest[2:4]}/{digest}", case, when(start), ended, "执法现场",
            officer, f"BWC_{n}.MP4", when(received), b"r" * 420, b"s" * 64,
        )  # fmt: skip
        manifest = (
            eid, "original", "dock-bench", "k" * 64, n, None, digest, _manifest(serial, n),
            b"s" * 64, case, when(start),
        )  # fmt: skip
        return obj, manifest

    def _act(self, act_id: int, case: str, start: datetime) -> Iterator[tuple[str, object]]:
        rnd = self.random
        length = timedelta(minutes=rnd.randint(10, 60))
        end = start + length
        act_type = rnd.choice(self.full) if rnd.random() < 0.6 else rnd.choice(self.as_needed)
        officers = [f"1301{rnd.randrange(500):05d}" for _ in range(rnd.randint(1, 3))]
        serial = f"BWC-{rnd.randrange(100_000):05d}"
        yield "act", (
            act_id, case, act_type, when(start), when(end), None, json.dumps(officers),
            json.dumps([serial]), None, 1, "bench", when(start), "bench", when(start), None,
        )  # fmt: skip
        plan = rnd.random()
        filed_as = case if plan < 0.95 else f"ZZ-2025-{act_id:08d}"  # 5%: nobody's case
        hole = rnd.randrange(9) if 0.85 <= plan < 0.95 else None
        step = length / 9
        for k in range(9):
            seg_start = start + step * k + timedelta(seconds=rnd.choice((0, 0, 0, 1, 3)))
            seg_end = start + step * (k + 1)
            if k == hole:
                seg_end = seg_start + max(step - timedelta(seconds=rnd.randint(30, 300)), step / 10)
            yield "recording", self._recording(filed_as, seg_start, seg_end, officers[0], serial)
        if rnd.random() < 0.5:  # a suggestion: no case number, the act's camera
            yield "recording", self._recording(None, start, start + step, officers[0], serial)
        else:  # unassigned: the act's case, days away from it
            away = start + timedelta(days=3)
            yield "recording", self._recording(case, away, away + step, officers[0], serial)
        if act_type in self.full and rnd.random() < 0.02:
            yield "exemption", (act_id, "emergency", "局长", when(start), "bench", when(end), 1)

    def rows(self) -> Iterator[tuple[str, object]]:
        rnd = self.random
        for case_n in range(self.acts // 2):
            case = f"JSZF-2025-{case_n:06d}"
            yield "case", (case, rnd.choice(AGENCIES), None, "bench", when(BASE))
            base = BASE + timedelta(seconds=rnd.randrange(360 * 86400))
            for k in range(2):
                yield from self._act(case_n * 2 + k + 1, case, base + timedelta(hours=2 * k))
        for n in range(self.acts // 100):
            yield (
                "flag",
                (
                    "sequence_gap",
                    "dock-bench",
                    f"dock-bench#{n}",
                    '{"missing_sequence": 1}',
                    when(BASE),
                ),
            )


_INSERT = {
    "case": "INSERT INTO cases VALUES (?, ?, ?, ?, ?)",
    "act": "INSERT INTO acts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "object": "INSERT INTO objects (evidence_id, role, device_id, sequence, manifest_sha256, "
    "sha256, size, chunk_root, store, locator, case_number, started_at, ended_at, place, "
    "officer_id, file_name, received_at, receipt_body, receipt_signature) "
    "VALUES (" + ", ".join("?" * 19) + ")",
    "manifest": "INSERT INTO manifests VALUES (" + ", ".join("?" * 11) + ")",  # noqa: S608
    "exemption": "INSERT INTO exemptions (act_id, reason, approver, approved_at, recorded_by, "
    "recorded_at, act_revision) VALUES (?, ?, ?, ?, ?, ?, ?)",
    "flag": "INSERT INTO flags (kind, device_id, subject, detail, raised_at) VALUES (?, ?, ?, ?, ?)",
}


def build(path: Path, acts: int) -> int:
    """Write a fresh index at ``path``; return the number of recordings."""
    schema = index_schema()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(schema)
    # Bulk load without the secondary indexes, nor the triggers that fold each act's
    # recordings (they would walk unindexed tables per row); the schema then builds the
    # indexes once and its catch-up folds every act in one statement.
    for kind, name in db.execute(
        "SELECT type, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "OR type = 'trigger' AND name LIKE 'act_spans_of_%'"
    ).fetchall():
        db.execute(f"DROP {kind.upper()} {name}")
    db.execute(
        "INSERT INTO devices VALUES ('dock-bench', 'benchmark', 'active', ?, NULL)", (when(BASE),)
    )
    db.execute(
        "INSERT INTO device_keys VALUES (?, 'dock-bench', ?, ?)", ("k" * 64, bytes(32), when(BASE))
    )
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    pending: dict[str, list[tuple[object, ...]]] = {kind: [] for kind in _INSERT}
    generator = Generator(acts)
    for kind, row in generator.rows():
        if kind == "recording":
            obj, manifest = row  # type: ignore[misc]
            pending["object"].append(obj)
            pending["manifest"].append(manifest)
        else:
            pending[kind].append(row)  # type: ignore[arg-type]
        if len(pending["object"]) >= BATCH:
            _flush(db, pending)
    _flush(db, pending)
    # Late uploads are flags finalize raises: one for each original that arrived late.
    db.execute(
        "INSERT INTO flags (kind, device_id, evidence_id, role, subject, detail, raised_at) "
        "SELECT 'late_upload', device_id, evidence_id, role, evidence_id, '{}', received_at "
        "FROM objects WHERE role = 'original' AND julianday(received_at) "
        "- julianday(COALESCE(ended_at, started_at)) > 1"
    )
    db.execute("COMMIT")
    db.executescript(schema)  # the indexes, built over the loaded rows
    db.execute("PRAGMA journal_mode = WAL")
    db.close()
    return generator.recordings


def _flush(db: sqlite3.Connection, pending: dict[str, list[tuple[object, ...]]]) -> None:
    for kind in ("case", "act", "manifest", "object", "exemption", "flag"):
        if pending[kind]:
            db.executemany(_INSERT[kind], pending[kind])
            pending[kind].clear()
