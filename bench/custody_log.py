"""Time the custody log: appending access entries one transaction each (what retrieval
does), and the log audit's walk over all of them; print the index's size per entry.

    .venv/bin/python bench/custody_log.py --entries 20000

Each entry is a real access leaf; each append is its own BEGIN IMMEDIATE transaction
with synchronous=FULL, as the server commits an access before serving a byte.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from evidence.identifiers import EvidenceId, Role
from evidence.tlog.leaf_events import AccessAction, AccessLeaf
from evidence.tlog.leaf_parts import Actor, ActorRole, ObjectRef
from evidence.tlog.leaves import leaf_bytes
from ingest.fixity.log_audit import LogAudit
from storage.sqlite import open_sqlite_index


def _access(n: int) -> bytes:
    ref = ObjectRef(EvidenceId.new(), Role.ORIGINAL)
    actor = Actor("王警官", ActorRole.CUSTODIAN)
    at = datetime.now(UTC)
    return leaf_bytes(AccessLeaf(actor, AccessAction.STREAM, f"复核 {n}", "A-2026-1", (ref,), at))


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.glob("index.sqlite3*"))


async def main(entries: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="liuhen-log-"))
    index = await open_sqlite_index(folder / "index.sqlite3")
    try:
        bodies = [_access(n) for n in range(entries)]
        started = time.perf_counter()
        for body in bodies:
            await index.log.append(body)
        appended = time.perf_counter() - started
        started = time.perf_counter()
        report = await LogAudit(index.log, None).run()
        audited = time.perf_counter() - started
    finally:
        await index.close()
    size = _size(folder)
    print("| entries | append each | audit | index per entry |\n| --- | --- | --- | --- |")
    print(
        f"| {entries} | {appended / entries * 1e3:.2f} ms | {audited:.2f} s "
        f"| {size / entries:.0f} B |"
    )
    assert report.ok, report.findings


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=20_000)
    asyncio.run(main(parser.parse_args().entries))
