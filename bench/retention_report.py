"""Time reading the standing holds of the retention report's recordings over a whole
SQLite index, a page of 1,000 recordings at a time as ``liuhen retention report`` pages:
one query per page (``storage.sqlite.keeping``, now) against the per-recording query it
replaced (one per recording, before), in the same run, alternating, several rounds. The
pages (their recordings and cases) are read once, first, with ``keeping``; that whole pass
is timed once too, for scale.

    .venv/bin/python bench/retention_report.py --recordings 100000 --rounds 5

The index is the real schema (``storage/sqlite/schema.sql``) filled with synthetic rows:
N recordings (one object each), one in ten carrying one of N/50 case numbers, and a
standing hold on every hundredth case and every thousandth recording (some lifted). Both
readers must find the same holds for every recording, or the run fails.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from storage.sqlite.keeping import _holds_of, _standing, keeping

PAGE = 1000


def build(path: Path, recordings: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    conn.executescript(resources.files("storage.sqlite").joinpath("schema.sql").read_text())
    conn.execute("PRAGMA foreign_keys = OFF")  # synthetic rows: no devices, no log leaves
    cases = max(1, recordings // 50)
    rows = []
    for n in range(recordings):
        case = f"case-{n % cases}" if n % 10 == 0 else None
        at = f"2026-01-01T00:{(n // 60) % 60:02d}:{n % 60:02d}.{n:06d}Z"
        rows.append(
            (
                f"{n:08d}-0000-4000-8000-000000000000",
                "original",
                "dev",
                n,
                "m",
                f"{n:064x}",
                1,
                "r",
                "local",
                f"sha256/{n:064x}",
                case,
                at,
                "f.mp4",
                at,
                b"",
                b"",
            )
        )
    conn.executemany(
        "INSERT INTO objects (evidence_id, role, device_id, sequence, manifest_sha256, sha256,"
        " size, chunk_root, store, locator, case_number, started_at, file_name, received_at,"
        " receipt_body, receipt_signature) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    holds = [(f"case-{c}", None) for c in range(0, cases, 100)]
    holds += [(None, f"{n:08d}-0000-4000-8000-000000000000") for n in range(0, recordings, 1000)]
    conn.executemany(
        "INSERT INTO holds (case_number, evidence_id, reason, set_by, set_role, set_at, leaf_idx)"
        " VALUES (?,?,'r','w','custodian','2026-01-01T00:00:00Z',0)",
        holds,
    )
    conn.execute(
        "INSERT INTO hold_lifts (hold_id, reason, lifted_by, lifted_role, lifted_at, leaf_idx)"
        " SELECT hold_id, 'r', 'z', 'supervisor', '2026-02-01T00:00:00Z', 0 FROM holds"
        " WHERE hold_id % 3 = 0"
    )
    conn.commit()
    return conn


def _old_holds(conn: sqlite3.Connection, evidence_id: str, cases: Sequence[str]) -> tuple[int, ...]:
    """The query this change replaced: one per recording."""
    marks = ",".join("?" for _ in cases) or "NULL"
    rows = conn.execute(
        "SELECT h.hold_id FROM holds h WHERE NOT EXISTS "  # noqa: S608 -- marks only
        "(SELECT 1 FROM hold_lifts l WHERE l.hold_id = h.hold_id) "
        f"AND (h.evidence_id = ? OR h.case_number IN ({marks})) ORDER BY h.hold_id",
        (evidence_id, *cases),
    )
    return tuple(row[0] for row in rows)


Page = list[tuple[str, list[str]]]  # (evidence id, its cases) of each recording


def pages(conn: sqlite3.Connection) -> list[Page]:
    """Every page of the report, as ``keeping`` reads it."""
    found: list[Page] = []
    while True:
        page = keeping(conn, None, None, (PAGE, len(found) * PAGE))
        found.append([(str(line.evidence_id), list(line.cases)) for line in page])
        if len(page) < PAGE:
            return found


def holds_before(conn: sqlite3.Connection, every: list[Page]) -> dict[str, tuple[int, ...]]:
    return {one: _old_holds(conn, one, cases) for page in every for one, cases in page}


def holds_after(conn: sqlite3.Connection, every: list[Page]) -> dict[str, tuple[int, ...]]:
    found: dict[str, tuple[int, ...]] = {}
    for page in every:
        cases = sorted({case for _, of in page for case in of})
        standing = _standing(conn, [one for one, _ in page], cases)
        found.update((one, _holds_of(standing, one, of)) for one, of in page)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recordings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        conn = build(Path(folder) / "index.sqlite", args.recordings)
        start = time.perf_counter()
        every = pages(conn)
        whole = time.perf_counter() - start
        before, after = holds_before(conn, every), holds_after(conn, every)
        assert before == after, "the readers disagree"
        held = sum(1 for holds in after.values() if holds)
        readers = {"per recording (before)": holds_before, "one per page (after)": holds_after}
        times: dict[str, list[float]] = {name: [] for name in readers}
        for _ in range(args.rounds):
            for name, reader in readers.items():
                start = time.perf_counter()
                reader(conn, every)
                times[name].append(time.perf_counter() - start)
    print(f"{args.recordings} recordings ({held} held), {len(every)} pages of {PAGE}")
    print(f"the whole report's reading (keeping, every page, once): {whole:.1f} s")
    print("| holds read | median | min | max |\n| --- | --- | --- | --- |")
    for name, spent in times.items():
        print(
            f"| {name} | {statistics.median(spent):.3f} s | {min(spent):.3f} s | {max(spent):.3f} s |"
        )


if __name__ == "__main__":
    main()
