"""The compliance report on the PostgreSQL index beside the SQLite one (issue 14, item 5):
the same generated data (bench/compliance_data.py), the same run, the same function the
JSON API calls (ingest.compliance.report.build_report), alternating, several rounds.

    .venv/bin/python bench/compliance_postgres.py --acts 10000 --rounds 5

The SQLite index is built as bench/compliance_report.py builds it; its rows (devices,
cases, acts, manifests, originals, exemptions, flags) are then copied with COPY into a
fresh database of a throwaway PostgreSQL (tests/postgres.py: initdb, fsync off), whose
schema is the server's own, triggers on: act_history, recording_spans and act_spans are
made by PostgreSQL's triggers as rows land, not copied, so equal totals check the two
backends' folds as well as their queries. The server reads it as its own role
(``liuhen``). Each round opens each index afresh (open_server), warms it with one report,
then times one. The totals must be equal, or the run fails. Results: printed, and JSON in
bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from compliance_data import build  # beside this file

from evidence.case_number import CaseNumberRule
from ingest.compliance.report import ReportFilters, build_report
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from storage.postgres_config import PostgresConfig

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.postgres, the throwaway cluster
from tests.postgres import started  # noqa: E402

TABLES = ("devices", "device_keys", "cases", "acts", "manifests", "objects", "exemptions", "flags")


def copy_into(source: Path, dsn: str) -> float:
    """Every row of TABLES from the SQLite index into PostgreSQL's; seconds taken."""
    import psycopg

    begun = time.perf_counter()
    lite = sqlite3.connect(source)
    with psycopg.connect(dsn) as pg:
        for table in TABLES:
            theirs = [r[1] for r in lite.execute(f"PRAGMA table_info({table})")]
            ours = [r[0] for r in pg.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "ORDER BY ordinal_position", (table,))]  # fmt: skip
            columns = ", ".join(c for c in ours if c in theirs)
            with pg.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in lite.execute(f"SELECT {columns} FROM {table}"):  # noqa: S608
                    copy.write_row(row)
        pg.execute("ANALYZE")
    lite.close()
    return time.perf_counter() - begun


async def one_report(config: IngestConfig) -> tuple[float, float, dict[str, Any]]:
    """Wall and CPU (this process, every thread) seconds of one report after a warm-up."""
    ctx = await open_server(config, CaseNumberRule())
    try:
        await build_report(ctx.services.compliance, ReportFilters())
        wall, cpu = time.perf_counter(), time.process_time()
        report = await build_report(ctx.services.compliance, ReportFilters())
        return time.perf_counter() - wall, time.process_time() - cpu, report["totals"]
    finally:
        await ctx.close()


def measure(acts: int, rounds: int, base: Path) -> dict[str, Any]:
    lite_dir, pg_dir = base / f"sqlite-{acts}", base / f"postgres-{acts}"
    pg_dir.mkdir(parents=True, exist_ok=True)
    built = time.perf_counter()
    recordings = build(lite_dir / "index.sqlite3", acts)
    build_s = time.perf_counter() - built
    postgres = started()
    try:
        database = postgres.new_database()
        name = database["dsn"].split("dbname=")[1].split()[0]
        load_s = copy_into(lite_dir / "index.sqlite3", postgres.dsn(name))
        print(f"{acts} acts, {recordings} recordings: SQLite built in {build_s:.0f} s, "
              f"copied into PostgreSQL in {load_s:.0f} s", flush=True)  # fmt: skip
        lite = IngestConfig(data_dir=lite_dir)
        pg = IngestConfig(data_dir=pg_dir, index="postgres", postgres=PostgresConfig(**database))
        times: dict[str, list[float]] = {"sqlite_s": [], "postgres_s": [], "sqlite_cpu_s": [],
                                         "postgres_cpu_s": [], "load": []}  # fmt: skip
        totals: dict[str, dict[str, Any]] = {}
        for round_ in range(rounds):
            times["load"].append(os.getloadavg()[0])
            for name_, config in (("sqlite", lite), ("postgres", pg))[:: 1 if round_ % 2 else -1]:
                wall, cpu, totals[name_] = asyncio.run(one_report(config))
                times[f"{name_}_s"].append(wall)
                times[f"{name_}_cpu_s"].append(cpu)
            print(f"  round {round_}: SQLite {times['sqlite_s'][-1]:.2f} s, PostgreSQL "
                  f"{times['postgres_s'][-1]:.2f} s", flush=True)  # fmt: skip
    finally:
        postgres.close()
    if totals["sqlite"] != totals["postgres"]:
        raise SystemExit(f"the backends disagree: {totals}")
    ratios = [p / s for p, s in zip(times["postgres_s"], times["sqlite_s"], strict=True)]
    return {"acts": acts, "recordings": recordings, "sqlite_build_s": build_s,
            "postgres_load_s": load_s, **times, "ratios": ratios, "totals": totals["sqlite"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--acts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    base = Path(os.environ.get("BENCH_DIR", ROOT / "bench" / "results")) / "compliance-postgres"
    r = measure(args.acts, args.rounds, base)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"compliance-postgres-{args.acts}.json").write_text(json.dumps(r, indent=2))
    med = statistics.median
    print(f"| {r['acts']:,} | {r['recordings']:,} | {med(r['sqlite_s']):.2f} s "
          f"({min(r['sqlite_s']):.2f}-{max(r['sqlite_s']):.2f}) | {med(r['postgres_s']):.2f} s "
          f"({min(r['postgres_s']):.2f}-{max(r['postgres_s']):.2f}) | {med(r['ratios']):.2f} "
          f"({min(r['ratios']):.2f}-{max(r['ratios']):.2f}) | {r['totals']} |")  # fmt: skip


if __name__ == "__main__":
    main()
