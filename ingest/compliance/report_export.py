"""The report for people who open it in Excel: a CSV with Chinese headers and a byte-order
mark (Excel reads a CSV without one as the system's code page, which garbles UTF-8), and
an .xlsx workbook with one sheet per view. Times are the agency's local time with the
offset (``2026-11-29 10:00 +08:00``); the JSON report keeps RFC 3339. Pure: from the
report's JSON to bytes."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import timedelta, timezone
from typing import Any

from openpyxl import Workbook

from evidence.csv_table import write_csv
from evidence.local_time import local_text
from evidence.strict_json import parse_time

__all__ = ["report_csv", "report_xlsx"]

BOM = "\ufeff"
COUNT_HEADER = ("视图", "键", "名称", "执法行为", "全程覆盖", "部分覆盖", "缺失", "豁免",
                "经修改", "覆盖率", "未覆盖秒数", "薄弱")  # fmt: skip
_RANKED = (
    ("agencies", "执法机关"),
    ("units", "执法单位"),
    ("officers", "执法人员"),
    ("act_types", "事项"),
)
Cell = str | int | float | None


def _rate(rate: float | None) -> str | None:
    return None if rate is None else f"{rate:.4f}"


def _count_row(view: str, row: dict[str, Any]) -> list[Cell]:
    return [
        view, row.get("key", ""), row.get("name"), row["acts"], row["covered"],
        row["partial"], row["missing"], row["exempted"], row["edited"],
        _rate(row["coverage_rate"]), row.get("uncovered_seconds"),
        "是" if row.get("weak") else None,
    ]  # fmt: skip


def _count_rows(report: dict[str, Any]) -> list[list[Cell]]:
    rows = [_count_row("全部", report["totals"])]
    for key, view in _RANKED:
        rows += [_count_row(view, row) for row in report["rankings"][key]]
    for row in report["by_period"]:
        rows.append(_count_row("月份", {**row, "key": row["period"]}))
    return rows


def report_csv(report: dict[str, Any]) -> str:
    """One table: the totals, then each ranking (weakest first), then each month."""
    rows = [[None if cell is None else str(cell) for cell in row] for row in _count_rows(report)]
    return BOM + write_csv(COUNT_HEADER, rows)


def _zone(report: dict[str, Any]) -> timezone:
    return timezone(timedelta(hours=report["utc_offset_hours"]))


def _local(zone: timezone) -> Callable[[str | None], str | None]:
    return lambda text: None if text is None else local_text(parse_time(text), zone)


def _views(report: dict[str, Any]) -> list[tuple[str, Sequence[str], list[list[Cell]]]]:
    at = _local(_zone(report))
    trend = [[r["period"], r["acts"], r["covered"], r["failing"], _rate(r["coverage_rate"]),
              r["change_points"]] for r in report["trend"]]  # fmt: skip
    exemptions, late = report["exemptions"], report["late_uploads"]
    as_needed = report["as_needed"]["by_act_type"]
    return [
        ("计数", COUNT_HEADER, _count_rows(report)),
        ("月度趋势", ("月份", "执法行为", "全程覆盖", "未达标", "覆盖率", "环比变化(百分点)"), trend),
        ("豁免-按理由", ("理由", "数量"), _pick(exemptions["by_reason"], "reason", "count")),
        ("豁免-按审批人", ("审批人", "数量"), _pick(exemptions["by_approver"], "approver", "count")),
        ("迟传-按人员", ("执法证号", "姓名", "数量"), _pick(late["by_officer"], "officer", "name", "count")),
        ("迟传-按采集站", ("采集站", "数量"), _pick(late["by_station"], "device_id", "count")),
        ("根据需要事项", ("事项代码", "事项", "执法行为", "有录像"),
         _pick(as_needed, "act_type", "name", "acts", "with_footage")),
        ("未就绪案件", ("案件编号", "执法机关", "执法行为", "事项代码", "开始", "结束", "状态", "缺口秒数"),
         _not_ready(report, at)),
        ("标记", ("类型", "数量", "处理建议"), _pick(report["flags"]["by_kind"], "kind", "count", "advice")),
    ]  # fmt: skip


def _pick(rows: list[dict[str, Any]], *keys: str) -> list[list[Cell]]:
    return [[row.get(key) for key in keys] for row in rows]


def _not_ready(report: dict[str, Any], at: Callable[[str | None], str | None]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for case in report["not_ready"]["cases"]:
        if not case["acts"]:
            rows.append(
                [case["case_number"], case["agency"], None, None, None, None, "acts: 0", None]
            )
        for act in case["acts"]:
            rows.append(
                [case["case_number"], case["agency"], act["act_id"], act["act_type"],
                 at(act["started_at"]), at(act["ended_at"]), act["state"], act["gap_seconds"]]
            )  # fmt: skip
    return rows


def report_xlsx(report: dict[str, Any]) -> bytes:
    """One sheet per view: counts (totals, rankings, months), trend, exemptions, late
    uploads, as-needed acts, cases not ready for legal review, open flags."""
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    for title, header, rows in _views(report):
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
