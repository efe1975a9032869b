"""The agency's officer roster (执法人员名册): officer id (执法证号), name and unit, imported
from a CSV or .xlsx table like the other imports. The report shows officers by name and
number and ranks units by it; recordings and acts keep naming officers by id alone."""

from __future__ import annotations

import logging

from evidence.column_mapping import Column
from evidence.errors import BadRequest
from evidence.table_columns import Record
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.tables import ImportOutcome, TableUpload
from ingest.free_text import check_text
from storage.compliance_records import OfficerRecord

__all__ = ["OFFICER_TABLE", "import_roster", "roster"]

log = logging.getLogger(__name__)

OFFICER_TABLE = (
    Column(
        "执法证号",
        ("执法证件号", "执法证件号码", "执法人员编号", "证件号", "证号", "工号", "officer_id"),
        required=True,
    ),
    Column("姓名", ("执法人员", "执法人员姓名", "人员姓名", "name"), required=True),
    Column(
        "所属单位",
        ("单位", "所在单位", "中队", "部门", "执法机构", "科室", "unit"),
        carry_down=True,
    ),
)


def _officer(record: Record) -> OfficerRecord | None:
    number = record.text("执法证号", max_length=128)
    name = record.text("姓名", max_length=64)
    unit = record.text("所属单位", max_length=128, required=False)
    if number is None or name is None or record.bad:
        return None
    try:
        check_text("officer", number, 128)
        check_text("name", name, 64)
    except BadRequest as exc:
        record.problem("执法证号", exc.message)
        return None
    return OfficerRecord(number, name, unit)


async def import_roster(
    desk: ComplianceDesk, upload: TableUpload, by: str, *, dry_run: bool = False
) -> ImportOutcome:
    """Add the officers a roster lists and correct the names and units that changed;
    every bad cell is reported at once and nothing is kept while any is."""
    table = upload.table(OFFICER_TABLE)
    table.problems.check()
    seen: dict[str, int] = {}
    rows: list[OfficerRecord] = []
    for record in table.records():
        officer = _officer(record)
        if officer is None:
            continue
        if officer.officer_id in seen:
            record.problem("执法证号", f"also on row {seen[officer.officer_id]}")
            continue
        seen[officer.officer_id] = record.number
        rows.append(officer)
    table.problems.check()
    added, changed, unchanged = await desk.index.officers.update(
        rows, by, desk.clock(), commit=not dry_run
    )
    if not dry_run:
        log.info("officer roster by %s: %d added, %d changed", by, added, changed)
    counts = {"officers_added": added, "officers_changed": changed, "officers_unchanged": unchanged}
    return ImportOutcome(table.plan, counts, dry_run)


async def roster(desk: ComplianceDesk) -> dict[str, OfficerRecord]:
    return {officer.officer_id: officer for officer in await desk.index.officers.roster()}
