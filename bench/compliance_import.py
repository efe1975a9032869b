"""Time the import of an acts workbook as a case system exports it: N rows (one act each,
two acts per case) in an .xlsx with the usual Chinese column names, times as Excel dates,
into a fresh index, through the function behind ``POST /api/v1/acts/import`` and
``liuhen acts import`` (read the workbook, map the columns, check every cell, then one
transaction). Reading the workbook alone is timed too.

    .venv/bin/python bench/compliance_import.py --rows 20000
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from evidence.case_number import CaseNumberRule
from evidence.table_file import read_grid
from ingest.compliance.imports import import_acts
from ingest.compliance.tables import TableUpload
from ingest.server_config import IngestConfig
from ingest.startup import open_server

HEADER = ["序号", "案号", "执法主体", "行政相对人", "执法行为", "开始时间", "结束时间",
          "执法地点", "执法人员", "执法记录仪编号", "行为编号"]  # fmt: skip
TYPES = ["查封扣押财产", "强制拆除", "询问室询问", "现场检查", "调查取证"]


def workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    start = datetime(2026, 1, 1, 8, 0)
    for n in range(rows):
        began = start + timedelta(minutes=37 * n)
        sheet.append([
            n + 1, f"JSZF-2026-{n // 2:06d}", f"第{n // 2 % 20:02d}执法局", "某公司", TYPES[n % 5],
            began, began + timedelta(minutes=30), "执法现场",
            f"1301{n % 500:05d}、1301{(n + 7) % 500:05d}", f"BWC-{n % 900:05d}", f"ZF-{n:08d}",
        ])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _import(body: bytes, rows: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        ctx = await open_server(IngestConfig(data_dir=Path(scratch)), CaseNumberRule())
        try:
            started = time.perf_counter()
            done = await import_acts(ctx.services.compliance, TableUpload(body), "bench")
            took = time.perf_counter() - started
            assert done.counts["acts_added"] == rows, done.counts
        finally:
            await ctx.close()
    return took


def measure(rows: int, rounds: int) -> dict[str, object]:
    body = workbook(rows)
    read_s, import_s = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        read_grid(body)
        read_s.append(time.perf_counter() - started)
        import_s.append(asyncio.run(_import(body, rows)))
    return {
        "rows": rows,
        "workbook_mib": round(len(body) / 2**20, 2),
        "read_median_s": statistics.median(read_s),
        "import_median_s": statistics.median(import_s),
        "import_s": import_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result = measure(args.rows, args.rounds)
    print(
        f"{result['rows']:,} rows ({result['workbook_mib']} MiB .xlsx): read "
        f"{result['read_median_s']:.2f} s, whole import {result['import_median_s']:.2f} s "
        f"(median of {args.rounds})"
    )


if __name__ == "__main__":
    main()
