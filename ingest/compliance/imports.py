"""Bulk import of cases and acts from CSV, in the shape a case system exports.

Cases: 案件编号, 执法机关, optional 当事人. Acts: one row per act, carrying its case
(案件编号, 执法机关, optional 当事人), 事项 (an act type code or its 事项 name), 开始时间,
结束时间 and optional 地点, 执法人员, 设备 (several separated by ; ， 、 or spaces) and
外部编号 (the case system's id of the act, which makes a re-import a no-op). Times without
an offset are read in ``compliance.utc_offset_hours``. An import is all or nothing; every
error names the row and the column.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, tzinfo

from evidence.csv_table import CsvRow, CsvTable
from evidence.errors import ActConflict, BadRequest, CaseConflict, LiuhenError, MalformedCsv
from evidence.ranges import time_in_range
from ingest.compliance.acts import ActDraft, case_record, settle
from ingest.compliance.catalogues import current_catalogue
from ingest.compliance.desk import ComplianceDesk
from storage.compliance_records import ImportResult, ImportRow

__all__ = [
    "ACT_COLUMNS",
    "CASE_COLUMNS",
    "import_acts",
    "import_cases",
    "parse_moment",
    "split_names",
]

log = logging.getLogger(__name__)

CASE_COLUMNS = ("案件编号", "执法机关")
CASE_OPTIONAL = ("当事人",)
ACT_COLUMNS = ("案件编号", "执法机关", "事项", "开始时间", "结束时间")
ACT_OPTIONAL = ("当事人", "地点", "执法人员", "设备", "外部编号")
MAX_ROWS = 200_000

# Which column holds the value a field-named error is about.
_COLUMN_OF = {
    "case_number": "案件编号",
    "agency": "执法机关",
    "subject": "当事人",
    "act_type": "事项",
    "act": "事项",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "place": "地点",
    "officers": "执法人员",
    "devices": "设备",
    "reference": "外部编号",
}
_SEPARATORS = re.compile(r"[;；,，、\s]+")


def parse_moment(text: str, zone: tzinfo) -> datetime:
    """An ISO 8601 time (``T`` or a space between date and time), from 1900 to 9000; one
    written without an offset is in ``zone``, the agency's."""
    moment = datetime.fromisoformat(text.strip())
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    if not time_in_range(moment):
        raise ValueError(f"{text!r} is not between 1900 and 9000")
    return moment


def split_names(text: str | None) -> tuple[str, ...]:
    return tuple(name for name in _SEPARATORS.split(text or "") if name)


def _in_column(row: int, exc: LiuhenError) -> LiuhenError:
    column = _COLUMN_OF.get(str(exc.details.get("field")))
    message = (
        f"row {row}, column {column}: {exc.message}" if column else f"row {row}: {exc.message}"
    )
    details = {**exc.details, "row": row, "column": column}
    if isinstance(exc, CaseConflict | ActConflict):
        return type(exc)(message, **details)
    return MalformedCsv(message, **details)


def _time(row: CsvRow, column: str, zone: tzinfo) -> datetime:
    def parse(text: str) -> datetime:
        try:
            return parse_moment(text, zone)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a time such as 2026-03-12 09:30:00, from 1900 to 9000"
            ) from None

    return row.convert(column, parse)


async def _import(desk: ComplianceDesk, rows: list[ImportRow], by: str) -> ImportResult:
    try:
        result = await desk.index.cases.import_rows(rows, by, desk.clock())
    except (CaseConflict, ActConflict) as exc:
        raise _in_column(int(exc.details.get("row", 0)), exc) from exc
    log.info(
        "import by %s: %d cases, %d acts added, %d acts unchanged",
        by,
        result.cases_added,
        result.acts_added,
        result.acts_unchanged,
    )
    return result


def _case_of(desk: ComplianceDesk, row: CsvRow, by: str) -> ImportRow:
    try:
        case = case_record(
            desk,
            row.text("案件编号", max_length=64),
            row.text("执法机关", max_length=128),
            row.optional_text("当事人", max_length=256),
            by,
        )
    except MalformedCsv:
        raise
    except BadRequest as exc:
        raise _in_column(row.number, exc) from exc
    return ImportRow(row.number, case)


async def import_cases(desk: ComplianceDesk, text: str, by: str) -> ImportResult:
    table = CsvTable(text, CASE_COLUMNS, CASE_OPTIONAL)
    rows = [_case_of(desk, row, by) for row in _bounded(table)]
    return await _import(desk, rows, by)


async def import_acts(desk: ComplianceDesk, text: str, by: str) -> ImportResult:
    catalogue, _ = await current_catalogue(desk)
    zone = desk.settings.zone
    table = CsvTable(text, ACT_COLUMNS, ACT_OPTIONAL)
    rows: list[ImportRow] = []
    for row in _bounded(table):
        case = _case_of(desk, row, by).case
        draft = ActDraft(
            case_number=str(case.case_number),
            act_type=row.text("事项", max_length=128),
            started_at=_time(row, "开始时间", zone),
            ended_at=_time(row, "结束时间", zone),
            place=row.optional_text("地点", max_length=256),
            officers=split_names(row.optional_text("执法人员", max_length=4096)),
            devices=split_names(row.optional_text("设备", max_length=4096)),
            reference=row.optional_text("外部编号", max_length=128),
        )
        try:
            rows.append(ImportRow(row.number, case, settle(desk, catalogue, draft)))
        except BadRequest as exc:
            raise _in_column(row.number, exc) from exc
    return await _import(desk, rows, by)


def _bounded(table: CsvTable) -> list[CsvRow]:
    rows: list[CsvRow] = []
    for row in table.rows():
        if len(rows) == MAX_ROWS:
            raise row.error(None, f"an import holds at most {MAX_ROWS} rows; split the file")
        rows.append(row)
    if not rows:
        raise MalformedCsv("row 2: the file has a header but no rows", row=2, column=None)
    return rows
