"""The report that finds weak links (issue 15, R10): rankings of agencies, units,
officers and act types with the weakest marked, the trend month by month, exemptions by
reason and approver, late uploads by officer and docking station, as-needed acts apart,
officers by name from the roster; as a 100-column table in local time, a CSV for Excel
and a workbook with one sheet per view. Real server books, the real command."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from liuhen.report_output import WIDTH, display_width
from tests.builders import CASE, CHINA
from tests.compliance.index_rows import insert_original

DATA = Path(__file__).resolve().parent.parent / "data" / "published"
OTHER = "冀石执罚〔2026〕第0013号"
MARCH = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
APRIL = datetime(2026, 4, 2, 14, 0, tzinfo=CHINA)


async def add_act(people, case, kind, start, officer):
    code, out, err = await people(
        "acts", "add", "--case-number", case, "--type", kind, "--start", start.isoformat(),
        "--end", (start + timedelta(minutes=10)).isoformat(), "--officer", officer,
    )  # fmt: skip
    assert code == 0, err
    return int(out.split()[1])


async def build(people, index):
    assert (await people("officers", "import", str(DATA / "officers.xlsx")))[0] == 0
    await people("cases", "add", OTHER, "--agency", "长安区应急管理局")
    await add_act(people, CASE, "seizure", MARCH, "130102001")  # covered
    await add_act(
        people, CASE, "forced_demolition", MARCH + timedelta(hours=1), "130102002"
    )  # 360 s
    await add_act(people, OTHER, "seizure", APRIL, "130102003")  # missing, 600 s
    interview = await add_act(
        people, OTHER, "interview_room", APRIL + timedelta(hours=1), "130102003"
    )
    await add_act(people, CASE, "on_site_inspection", MARCH + timedelta(hours=2), "130102001")
    await add_act(people, OTHER, "investigation", APRIL + timedelta(hours=2), "130102003")
    first = insert_original(index, case_number=CASE, start=MARCH, end=MARCH + timedelta(minutes=10))
    later = MARCH + timedelta(hours=1)
    insert_original(index, case_number=CASE, start=later, end=later + timedelta(minutes=4))
    needed = MARCH + timedelta(hours=2)
    insert_original(index, case_number=CASE, start=needed, end=needed + timedelta(minutes=3))
    index.execute(  # as finalize raises it for an original stored two days after capture
        "INSERT INTO flags (kind, device_id, evidence_id, role, subject, detail, raised_at) "
        "VALUES ('late_upload', 'dock-1', ?, 'original', ?, '{}', '2026-03-14T02:00:00.000000Z')",
        (str(first), str(first)),
    )
    index.commit()
    await people.login("zhao")  # exempting is a supervisor's
    code, _, err = await people(
        "compliance", "exempt", str(interview), "--reason", "privacy", "--approver", "李局长",
        "--approved-at", "2026/4/2 16:00",
    )  # fmt: skip
    assert code == 0, err


def keys(rows):
    return [(row["key"], row["weak"]) for row in rows]


async def test_the_report_ranks_the_weak_links(people, index):
    await build(people, index)
    report = json.loads((await people("compliance", "report", "--json"))[1])
    rankings = report["rankings"]
    assert keys(rankings["agencies"]) == [("长安区应急管理局", True), ("石家庄市城管执法局", True)]
    assert rankings["agencies"][0]["uncovered_seconds"] == 600.0
    assert keys(rankings["units"]) == [("第二中队", True), ("第一中队", True)]
    officers = rankings["officers"]
    assert [(r["key"], r["name"], r["weak"]) for r in officers] == [
        ("130102003", "赵磊", True),
        ("130102002", "李娜", True),
        ("130102001", "王强", False),
    ]
    assert [r["key"] for r in rankings["act_types"]][:2] == ["seizure", "forced_demolition"]
    assert [(t["period"], t["coverage_rate"], t["change_points"]) for t in report["trend"]] == [
        ("2026-03", 0.5, None),
        ("2026-04", 0.0, -50.0),
    ]
    assert report["exemptions"]["by_reason"] == [{"reason": "privacy", "count": 1}]
    assert report["exemptions"]["by_approver"] == [{"approver": "李局长", "count": 1}]
    late = report["late_uploads"]
    assert late["by_officer"] == [{"officer": "130102001", "name": "王强", "count": 1}]
    assert late["by_station"] == [{"device_id": "dock-1", "count": 1}]
    assert (report["as_needed"]["acts"], report["as_needed"]["with_footage"]) == (2, 1)
    assert report["totals"]["acts"] == 4  # as-needed acts are counted apart
    loose = json.loads((await people("compliance", "report", "--json", "--threshold", "0.4"))[1])
    assert keys(loose["rankings"]["agencies"])[1] == ("石家庄市城管执法局", False)


async def test_the_report_fits_a_terminal_and_exports_for_excel(people, index, tmp_path):
    await build(people, index)
    code, out, _ = await people("compliance", "report")
    assert code == 0
    assert all(display_width(line) <= WIDTH for line in out.splitlines())
    assert "赵磊 130102003" in out and "WEAK" in out and "2026-04" in out
    assert "2026-04-02 14:00 +08:00: missing" in out  # local time, with the offset
    text = (await people("compliance", "report", "--csv"))[1]
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [
        "执法单位",
        "第二中队",
        "",
        "2",
        "0",
        "0",
        "1",
        "1",
        "0",
        "0.0000",
        "600.0",
        "是",
    ] in rows
    workbook = tmp_path / "report.xlsx"
    assert (await people("compliance", "report", "--xlsx", str(workbook)))[0] == 0
    book = load_workbook(workbook)
    assert {"计数", "月度趋势", "豁免-按理由", "迟传-按采集站", "未就绪案件"} <= set(
        book.sheetnames
    )
    not_ready = list(book["未就绪案件"].iter_rows(values_only=True))
    assert any("2026-04-02 14:00 +08:00" in row for row in not_ready)
    code, out, _ = await people("cases", "show", OTHER)
    assert code == 1 and "2026-04-02 14:00 +08:00 – 2026-04-02 14:10 +08:00" in out
