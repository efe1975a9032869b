"""Time the compliance report and one case's coverage on SQLite indexes of 10k, 100k and
1M acts (ten recordings each), and in the same run the same aggregate computed by the
`sqlite3` command-line tool with one plain SQL query (window functions) over the
foundation's tables, as a peer.

    .venv/bin/python bench/compliance_report.py --sizes 10000,100000,1000000 --rounds 5

Rounds alternate between the report and the peer (the machine is shared), and the
ratio of each pair is the measure. The report and the case are timed in-process through the same functions the JSON API
calls (ingest.compliance.report.build_report, ingest.compliance.assessment.case_coverage),
with the real SQLite index on its thread, after one warm-up run (the page cache is warm;
nothing is cached by Liuhen between runs; the index's act_spans and recording_spans are
kept at ingest, and the peer reads neither). The peer's totals must equal the report's, or
the run fails. Results: printed as Markdown, and JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import time
from pathlib import Path

from compliance_data import build  # beside this file

from evidence.case_number import CaseNumberRule
from evidence.catalogue import Catalogue, Duty
from ingest.compliance.assessment import case_coverage
from ingest.compliance.config import ComplianceConfig
from ingest.compliance.report import ReportFilters, build_report
from ingest.server_config import IngestConfig
from ingest.startup import open_server

ROOT = Path(__file__).resolve().parent.parent

TOLERANCE = ComplianceConfig().gap_tolerance_seconds


def peer_sql() -> str:
    """The report's totals as one SQL query over the foundation's own tables (not the span
    table Liuhen keeps): attach by case number and overlap with the act's window (or a
    confirmed decision that overlaps it), in integer milliseconds, clip to the window,
    drop points, find the largest uncovered stretch with a running MAX() window function,
    then classify and count."""
    types = ", ".join(f"('{code}')" for code in Catalogue.default().codes(Duty.FULL))
    ms = "CAST(round((julianday({0}) - 2440587.5) * 86400000.0) AS INTEGER)"
    tolerance = round(TOLERANCE * 1000)
    return f"""
WITH full_types(t) AS (VALUES {types}),
chosen AS MATERIALIZED (
  SELECT a.act_id, a.case_number, {ms.format("a.started_at")} AS a0, {ms.format("a.ended_at")} AS b0,
    EXISTS (SELECT 1 FROM exemptions e WHERE e.act_id = a.act_id
      AND e.act_revision = a.revision AND NOT EXISTS
      (SELECT 1 FROM exemption_withdrawals w WHERE w.exemption_id = e.id)) AS exempted
  FROM acts a WHERE a.act_type IN (SELECT t FROM full_types)
),
attached AS MATERIALIZED (
  SELECT act_id, s, e FROM (
    SELECT c.act_id, c.a0, c.b0, {ms.format("o.started_at")} AS s,
      {ms.format("COALESCE(o.ended_at, o.started_at)")} AS e
    FROM chosen c JOIN objects o ON o.case_number = c.case_number AND o.role = 'original'
    UNION ALL
    SELECT c.act_id, c.a0, c.b0, {ms.format("o.started_at")},
      {ms.format("COALESCE(o.ended_at, o.started_at)")}
    FROM chosen c JOIN decisions d ON d.act_id = c.act_id AND d.decision = 'confirmed'
      JOIN objects o ON o.evidence_id = d.evidence_id AND o.role = 'original'
  ) WHERE s < b0 AND e > a0 OR s = e AND s BETWEEN a0 AND b0
),
clipped AS (
  SELECT t.act_id, min(max(t.s, c.a0), c.b0) AS s, max(min(t.e, c.b0), min(max(t.s, c.a0), c.b0)) AS e
  FROM attached t JOIN chosen c USING (act_id)
),
ordered AS (
  SELECT act_id, s, e, MAX(e) OVER (PARTITION BY act_id ORDER BY s, e
    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
  FROM clipped WHERE e > s
),
stretches AS (
  SELECT o.act_id, MAX(o.s - COALESCE(o.reach, c.a0)) AS inner_gap, MAX(o.e) AS last
  FROM ordered o JOIN chosen c USING (act_id) GROUP BY o.act_id
),
counted AS (SELECT act_id, COUNT(*) AS n FROM attached GROUP BY act_id)
SELECT CASE
    WHEN c.exempted THEN 'exempted'
    WHEN n.n IS NULL THEN 'missing'
    WHEN MAX(COALESCE(s.inner_gap, 0), c.b0 - COALESCE(s.last, c.a0)) > {tolerance} THEN 'partial'
    ELSE 'covered' END AS state, COUNT(*)
FROM chosen c LEFT JOIN counted n USING (act_id) LEFT JOIN stretches s USING (act_id)
GROUP BY state ORDER BY state;
"""  # noqa: S608 (built from constants)


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_peer(database: Path, rounds: int) -> tuple[list[float], list[float], dict[str, int]]:
    """Wall and CPU seconds of each run (the CPU is the sqlite3 process's own)."""
    sql = peer_sql()
    times, cpu, totals = [], [], {}
    for _ in range(rounds + 1):  # the first warms the page cache, as for the report
        started, cpu_started = time.perf_counter(), _children_cpu()
        out = subprocess.run(
            ["sqlite3", "-readonly", str(database)],
            input=sql,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_started)
        totals = {state: int(count) for state, count in (line.split("|") for line in out.split())}
    return times[1:], cpu[1:], totals


async def run_liuhen(data_dir: Path, size: int, rounds: int, cases: int) -> dict[str, object]:
    ctx = await open_server(IngestConfig(data_dir=data_dir), CaseNumberRule())
    desk = ctx.services.compliance
    try:
        report = await build_report(desk, ReportFilters())  # warm-up
        report_s, report_cpu = [], []
        for _ in range(rounds):
            started, cpu_started = time.perf_counter(), time.process_time()  # every thread
            report = await build_report(desk, ReportFilters())
            report_s.append(time.perf_counter() - started)
            report_cpu.append(time.process_time() - cpu_started)
        chosen = random.Random(3).sample(range(size // 2), min(cases, size // 2))
        numbers = [f"JSZF-2025-{n:06d}" for n in chosen]
        case_s = []
        for number in numbers:
            started = time.perf_counter()
            await case_coverage(desk, number)
            case_s.append(time.perf_counter() - started)
    finally:
        await ctx.close()
    return {"report_s": report_s, "report_cpu_s": report_cpu, "case_s": case_s,
            "totals": report["totals"]}  # fmt: skip


def measure(size: int, base: Path, rounds: int, cases: int, rebuild: bool) -> dict[str, object]:
    data_dir = base / f"compliance-{size}"
    database = data_dir / "index.sqlite3"
    marker = data_dir / "built.json"
    if rebuild or not marker.exists():
        started = time.perf_counter()
        recordings = build(database, size)
        marker.write_text(json.dumps({"acts": size, "recordings": recordings,
                                      "build_s": time.perf_counter() - started}))  # fmt: skip
    built = json.loads(marker.read_text())
    print(f"{size} acts, {built['recordings']} recordings: measuring", flush=True)
    # Rounds alternate between the report and the peer, so both see the same load on a
    # shared machine; the ratio of each pair is the measure.
    report_s: list[float] = []
    peer_s: list[float] = []
    report_cpu: list[float] = []
    peer_cpu: list[float] = []
    liuhen: dict[str, object] = {}
    for round_ in range(rounds):
        once = asyncio.run(run_liuhen(data_dir, size, 1, cases if round_ == 0 else 0))
        liuhen = once if round_ == 0 else liuhen
        report_s += once["report_s"]  # type: ignore[arg-type]
        report_cpu += once["report_cpu_s"]  # type: ignore[arg-type]
        peer, cpu, peer_totals = run_peer(database, 1)
        peer_s += peer
        peer_cpu += cpu
    liuhen["report_s"] = report_s
    totals = liuhen["totals"]
    assert isinstance(totals, dict)
    mine = {state: totals[state] for state in ("covered", "exempted", "missing", "partial")}
    if {k: v for k, v in mine.items() if v} != peer_totals:
        raise SystemExit(f"the peer disagrees: report {mine}, sqlite3 {peer_totals}")
    case_s = sorted(liuhen["case_s"])  # type: ignore[arg-type]
    return {
        **built,
        "database_mib": round(database.stat().st_size / 2**20),
        "report_s": liuhen["report_s"],
        "report_median_s": statistics.median(liuhen["report_s"]),  # type: ignore[arg-type]
        "case_median_ms": statistics.median(case_s) * 1000,
        "case_p95_ms": case_s[int(len(case_s) * 0.95) - 1] * 1000,
        "case_max_ms": case_s[-1] * 1000,
        "peer_s": peer_s,
        "peer_median_s": statistics.median(peer_s),
        "ratios": [r / p for r, p in zip(report_s, peer_s, strict=True)],
        "ratio_median": statistics.median(r / p for r, p in zip(report_s, peer_s, strict=True)),
        # CPU seconds (the report's on every thread): what the load on a shared machine
        # moves least, though the report's two threads can overlap and the peer's one not.
        "report_cpu_s": report_cpu,
        "peer_cpu_s": peer_cpu,
        "cpu_ratios": [r / p for r, p in zip(report_cpu, peer_cpu, strict=True)],
        "cpu_ratio_median": statistics.median(
            r / p for r, p in zip(report_cpu, peer_cpu, strict=True)
        ),
        "totals": totals,
    }


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--sizes", default="10000,100000", help="acts per database, comma-separated"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", type=int, default=200, help="cases whose coverage is timed")
    parser.add_argument("--rebuild", action="store_true", help="regenerate existing databases")
    args = parser.parse_args()
    base = Path(os.environ.get("BENCH_DIR", ROOT / "bench" / "results")) / "liuhen-compliance"
    results = {}
    for size in (int(text) for text in args.sizes.split(",")):
        results[size] = measure(size, base, args.rounds, args.cases, args.rebuild)
        r = results[size]
        print(
            f"  report {r['report_median_s']:.2f} s (sqlite3 peer {r['peer_median_s']:.2f} s, "
            f"ratio {r['ratio_median']:.2f}, pairs {_spread(r['ratios'])}; CPU ratio "
            f"{r['cpu_ratio_median']:.2f}, pairs {_spread(r['cpu_ratios'])}; report CPU "
            f"{statistics.median(r['report_cpu_s']):.2f} s, peer "
            f"{statistics.median(r['peer_cpu_s']):.2f} s), "
            f"one case {r['case_median_ms']:.1f} ms median, {r['case_p95_ms']:.1f} ms p95",
            flush=True,
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "compliance.json").write_text(json.dumps(results, indent=2))
    print("\n| acts | recordings | database | report (median) | sqlite3 peer (median) "
          "| report ÷ peer (median of pairs) | one case (median / p95 / max) |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for size, r in results.items():
        print(
            f"| {size:,} | {r['recordings']:,} | {r['database_mib']:,} MiB "
            f"| {r['report_median_s']:.2f} s | {r['peer_median_s']:.2f} s | {r['ratio_median']:.2f} "
            f"| {r['case_median_ms']:.1f} / {r['case_p95_ms']:.1f} / {r['case_max_ms']:.1f} ms |"
        )


if __name__ == "__main__":
    main()
