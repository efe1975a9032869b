"""Bulk import of cases and acts from a table in the shape a case system exports (CSV in
UTF-8 or GBK, or .xlsx; ``ingest.compliance.tables``).

Cases: 案件编号, 执法机关, optional 当事人. Acts: one row per act, carrying its case
(案件编号, 执法机关, optional 当事人), 事项 (an act type code, its 事项 name or an alias),
开始时间, 结束时间 and optional 地点, 执法人员, 设备 (several separated by ; ， 、 or spaces)
and 外部编号 (the case system's id of the act, which makes a re-import a no-op). The usual
other names of these columns are recognised (``CASE_TABLE``, ``ACT_TABLE``); a mapping
names any other. Times may be written as Excel writes them (``evidence.local_time``); one
without an offset is in ``compliance.utc_offset_hours``. Every bad cell of every row is
reported in one error, and nothing is imported while any is; the import itself is all or
nothing. A dry run does the whole import in a transaction it rolls back.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, tzinfo

from evidence.catalogue import Catalogue
from evidence.column_mapping import Column
from evidence.errors import ActConflict, BadRequest, CaseConflict, LiuhenError, MalformedCsv
from evidence.local_time import read_local_time
from evidence.table_columns import Record, Table
from ingest.compliance.acts import ActDraft, case_record, settle
from ingest.compliance.catalogues import current_catalogue
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.tables import ImportOutcome, TableUpload
from storage.compliance_records import ImportResult, ImportRow

__all__ = [
    "ACT_TABLE",
    "CASE_TABLE",
    "import_acts",
    "import_cases",
    "parse_moment",
    "split_names",
]

log = logging.getLogger(__name__)

CASE_TABLE = (
    Column("案件编号", ("案号", "案件号", "立案编号", "案卷编号", "执法案件编号"), required=True),
    Column(
        "执法机关",
        ("执法主体", "执法单位", "实施机关", "行政执法机关", "办案单位", "执法部门"),
        required=True,
    ),
    Column("当事人", ("行政相对人", "相对人", "当事人名称", "当事人姓名或名称")),
)
ACT_TABLE = (
    *CASE_TABLE,
    Column(
        "事项",
        ("执法事项", "执法行为", "行为类型", "执法类型", "事项名称", "act_type"),
        required=True,
    ),
    Column(
        "开始时间", ("开始", "起始时间", "执法开始时间", "开始日期时间", "开始时刻"), required=True
    ),
    Column(
        "结束时间", ("结束", "终止时间", "执法结束时间", "结束日期时间", "结束时刻"), required=True
    ),
    Column("地点", ("执法地点", "地址", "执法场所", "场所")),
    Column(
        "执法人员", ("执法人员编号", "执法证号", "执法人员证号", "执法人员执法证号", "承办人员")
    ),
    Column("设备", ("记录设备", "执法记录仪", "执法记录仪编号", "设备编号")),
    Column("外部编号", ("行为编号", "执法行为编号", "业务编号", "系统编号", "流水号", "记录编号")),
)
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
# 张三（130102001）: a name with the officer id in brackets; the id is kept.
_NAMED_ID = re.compile(r"[^()（）]*[(（]\s*([^()（）]+?)\s*[)）]")


def parse_moment(text: str, zone: tzinfo) -> datetime:
    """A time as a table or the command line writes it (``evidence.local_time``), from
    1900 to 9000; one written without an offset is in ``zone``, the agency's."""
    return read_local_time(text, zone)


def split_names(text: str | None) -> tuple[str, ...]:
    names = (_NAMED_ID.sub(r"\1", name) for name in _SEPARATORS.split(text or ""))
    return tuple(name for name in names if name)


def _in_column(row: int, exc: LiuhenError, table: Table | None = None) -> LiuhenError:
    field = _COLUMN_OF.get(str(exc.details.get("field")))
    column = field if table is None or field is None else table.plan.header(field)
    message = (
        f"row {row}, column {column}: {exc.message}" if column else f"row {row}: {exc.message}"
    )
    details = {**exc.details, "row": row, "column": column}
    if isinstance(exc, CaseConflict | ActConflict):
        return type(exc)(message, **details)
    return MalformedCsv(message, **details)


def _time(record: Record, column: str, zone: tzinfo) -> datetime | None:
    def parse(text: str) -> datetime:
        try:
            return read_local_time(text, zone)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a time such as 2026-03-12 09:30 or 2026/3/12 9:30, "
                "from 1900 to 9000"
            ) from None

    return record.convert(column, parse)


async def _import(
    desk: ComplianceDesk, table: Table, rows: list[ImportRow], by: str, dry_run: bool
) -> ImportOutcome:
    try:
        result = await desk.index.cases.import_rows(rows, by, desk.clock(), commit=not dry_run)
    except (CaseConflict, ActConflict) as exc:
        raise _in_column(int(exc.details.get("row", 0)), exc, table) from exc
    if not dry_run:
        log.info(
            "import by %s: %d cases, %d acts added, %d acts unchanged",
            by,
            result.cases_added,
            result.acts_added,
            result.acts_unchanged,
        )
    return ImportOutcome(table.plan, _counts(result), dry_run)


def _counts(result: ImportResult) -> dict[str, int]:
    return {
        "cases_added": result.cases_added,
        "acts_added": result.acts_added,
        "acts_unchanged": result.acts_unchanged,
    }


def _case_of(desk: ComplianceDesk, table: Table, record: Record, by: str) -> ImportRow | None:
    number = record.text("案件编号", max_length=64)
    agency = record.text("执法机关", max_length=128)
    subject = record.text("当事人", max_length=256, required=False)
    if number is None or agency is None:
        return None
    try:
        return ImportRow(record.number, case_record(desk, number, agency, subject, by))
    except BadRequest as exc:
        record.problem(_COLUMN_OF.get(str(exc.details.get("field"))), exc.message)
        return None


async def import_cases(
    desk: ComplianceDesk, upload: TableUpload, by: str, *, dry_run: bool = False
) -> ImportOutcome:
    table = upload.table(CASE_TABLE)
    table.problems.check()
    rows = [_case_of(desk, table, record, by) for record in _bounded(table)]
    table.problems.check()
    return await _import(desk, table, [row for row in rows if row], by, dry_run)


def _act_of(
    desk: ComplianceDesk, table: Table, catalogue: Catalogue, record: Record, by: str
) -> ImportRow | None:
    zone = desk.settings.zone
    case = _case_of(desk, table, record, by)
    act_type = record.text("事项", max_length=128)
    started, ended = _time(record, "开始时间", zone), _time(record, "结束时间", zone)
    place = record.text("地点", max_length=256, required=False)
    officers = record.text("执法人员", max_length=4096, required=False)
    devices = record.text("设备", max_length=4096, required=False)
    reference = record.text("外部编号", max_length=128, required=False)
    if case is None or act_type is None or started is None or ended is None or record.bad:
        return None
    draft = ActDraft(
        case_number=str(case.case.case_number),
        act_type=act_type,
        started_at=started,
        ended_at=ended,
        place=place,
        officers=split_names(officers),
        devices=split_names(devices),
        reference=reference,
    )
    try:
        return ImportRow(record.number, case.case, settle(desk, catalogue, draft))
    except BadRequest as exc:
        record.problem(_COLUMN_OF.get(str(exc.details.get("field"))), exc.message)
        return None


async def import_acts(
    desk: ComplianceDesk, upload: TableUpload, by: str, *, dry_run: bool = False
) -> ImportOutcome:
    catalogue, _ = await current_catalogue(desk)
    table = upload.table(ACT_TABLE)
    table.problems.check()
    rows = [_act_of(desk, table, catalogue, record, by) for record in _bounded(table)]
    table.problems.check()
    return await _import(desk, table, [row for row in rows if row], by, dry_run)


def _bounded(table: Table) -> list[Record]:
    records: list[Record] = []
    for record in table.records():
        if len(records) == MAX_ROWS:
            raise MalformedCsv(
                f"row {record.number}: an import holds at most {MAX_ROWS} rows; split the file",
                row=record.number,
                column=None,
            )
        records.append(record)
    if not records:
        row = table.plan.header_row + 1
        raise MalformedCsv(f"row {row}: the file has a header but no rows", row=row, column=None)
    return records
