"""Agencies' own tables as they publish them (issue 15): a 音像记录事项清单 in the issue's
columns saved as GBK by Excel, a Hebei-style 一览表 in UTF-8 with a BOM and a title row, a
county workbook (.xlsx) with merged cells and no 事项 column, a municipal table that needs
one mapping file; acts as a case system exports them (.xlsx with Excel dates and serial
numbers, and the same saved as a GBK CSV). The files are in tests/data/published (made by
its make_tables.py); they import without being edited."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.catalogue import Catalogue, Duty
from evidence.catalogue_import import CATALOGUE_TABLE, read_catalogue
from evidence.column_mapping import ColumnMapping
from evidence.errors import MalformedCsv
from evidence.retention import RetentionKind
from evidence.wire import (
    ACTS_IMPORT,
    CATALOGUE,
    COVERAGE,
    OFFICERS,
    OFFICERS_IMPORT,
    XLSX_CONTENT_TYPE,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "published"
CSV = {"Content-Type": "text/csv"}
XLSX = {"Content-Type": XLSX_CONTENT_TYPE}


def read(name: str, mapping: str | None = None) -> Catalogue:
    text = None if mapping is None else (DATA / mapping).read_text("utf-8")
    given = None if text is None else ColumnMapping.from_toml(text, CATALOGUE_TABLE)
    return read_catalogue((DATA / name).read_bytes(), given, [Catalogue.default()]).catalogue


def test_the_issue_shape_in_gbk_with_merged_cells_and_retention_phrases():
    catalogue = read("catalogue_issue_shape_gbk.csv")
    seizure = catalogue.resolve("查封、扣押·实施")
    assert (seizure.category, seizure.duty, seizure.requirement) == (
        "行政强制",
        Duty.FULL,
        "全程音像记录",
    )
    assert seizure.devices == "执法记录仪\n摄像机"  # a line break inside the cell, kept
    assert catalogue.resolve("查封、扣押·解除").category == "行政强制"  # merged: carried down
    retention = {entry.name: entry.retention for entry in catalogue.entries}
    assert (retention["强制拆除"].text, retention["强制拆除"].kind) == (
        "长期",
        RetentionKind.LONG_TERM,
    )
    assert retention["现场检查"].text == "不少于6个月"
    assert (retention["现场检查"].kind, retention["现场检查"].count) == (RetentionKind.AT_LEAST, 6)
    assert retention["询问调查"].kind is RetentionKind.WITH_CASE_FILE
    assert catalogue.resolve("受理申请").duty is Duty.NONE
    # A name the default knows keeps its code, so acts registered under it stay valid.
    assert catalogue.resolve("强制拆除").act_type.code == "forced_demolition"
    assert Catalogue.from_csv(catalogue.to_csv()).entries == catalogue.entries


def test_a_hebei_style_list_with_a_title_row_and_a_note_under_it():
    body = (DATA / "catalogue_hebei_shape.csv").read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    read_back = read_catalogue(body, None, [Catalogue.default()])
    names = [entry.name for entry in read_back.catalogue.entries]
    assert names[:3] == ["调取查阅资料", "检查取证", "询问(调查)"]
    assert read_back.catalogue.resolve("检查取证").stage == "执法检查"  # carried down
    assert read_back.catalogue.resolve("查封、扣押施工机具").duty is Duty.FULL  # 全程
    assert read_back.catalogue.resolve("举行听证").duty is Duty.AS_NEEDED  # 适时
    lines = "\n".join(read_back.plan.lines())
    assert "F 执法时限要求 → 记录要求" in lines and "row 1 above the header skipped" in lines
    assert "row 10 is a note under the table, skipped" in lines


def test_a_county_workbook_without_a_name_column_and_with_merged_categories():
    read_back = read_catalogue((DATA / "catalogue_ningxia_shape.xlsx").read_bytes())
    catalogue = read_back.catalogue
    assert [e.name for e in catalogue.entries][:2] == ["现场检查", "检查确认"]
    assert catalogue.resolve("陈述、申辩").category == "行政处罚"  # the merged range's value
    assert catalogue.resolve("暂扣物品").duty is Duty.FULL
    assert catalogue.resolve("现场检查").devices == "执法记录仪\n照相机\n录像机"
    assert catalogue.resolve("暂扣物品").retention.kind is RetentionKind.NOT_STATED
    assert any("merged cell(s) filled" in note for note in read_back.plan.notes)


def test_a_table_without_a_requirement_column_needs_one_mapping_file():
    with pytest.raises(MalformedCsv, match="no 记录要求 column") as caught:
        read("catalogue_jiaozuo_shape.csv")
    assert caught.value.details == {"row": 1, "column": "记录要求"}
    catalogue = read("catalogue_jiaozuo_shape.csv", "catalogue_jiaozuo_shape.toml")
    names = [entry.name for entry in catalogue.entries]
    assert names[1:3] == ["全部处罚事项·调查取证全过程", "全部处罚事项·告知过程"]
    assert names[3] == "全部处罚事项·口头陈述、申辩全过程"  # a line break inside a name, removed
    assert {entry.duty for entry in catalogue.entries} == {Duty.AS_NEEDED}


def test_every_bad_row_and_column_is_reported_at_once():
    rows = [
        "执法事项,记录要求,保存期限",
        "查封扣押,全程音像记录,永久",
        "强制拆除,总是,永久",  # a requirement we do not know
        "现场检查,根据需要,三年",  # a retention we cannot read
        "查封扣押,全程,永久",  # listed twice
        "文书送达,偶尔,很久",  # two bad cells in one row
    ]
    with pytest.raises(MalformedCsv) as caught:
        read_catalogue("\r\n".join(rows).encode("gbk"))
    errors = caught.value.details["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "记录要求"),
        (4, "保存期限"),
        (5, "执法事项"),
        (6, "记录要求"),
        (6, "保存期限"),
    ]
    assert errors[1]["cell"] == "C4"
    assert (caught.value.details["row"], caught.value.details["column"]) == (3, "记录要求")


def form(table: bytes, mapping: str, kind: str = "text/csv") -> tuple[bytes, dict[str, str]]:
    boundary = "liuhen-test-boundary"
    parts = [
        (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="t"\r\n'
         f"Content-Type: {kind}\r\n\r\n").encode() + table + b"\r\n",
        (f'--{boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n'
         "Content-Type: application/toml\r\n\r\n").encode() + mapping.encode() + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]  # fmt: skip
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


async def versions(server) -> int:
    held = await server.ctx.index.compliance.catalogues.current()
    return 0 if held is None else held.version


async def test_published_tables_replace_the_catalogue_over_the_api(server):
    admin = await server.add_user("root", "admin")
    workbook = (DATA / "catalogue_ningxia_shape.xlsx").read_bytes()
    dry = await server.send(
        "PUT", CATALOGUE + "?dry_run=true", token=admin, body=workbook, headers=XLSX
    )
    assert dry.json()["dry_run"] is True and dry.json()["entries"] == 6
    assert dry.json()["mapping"]["columns"]["设备"] == {"column": "E", "header": "记录载体"}
    assert await versions(server) == 0  # a dry run keeps nothing
    reply = await server.send("PUT", CATALOGUE, token=admin, body=workbook, headers=XLSX)
    assert reply.json() == {"version": 1, "entries": 6}
    again = await server.send("PUT", CATALOGUE, token=admin, body=workbook, headers=XLSX)
    assert again.json() == {"version": 1, "entries": 6}  # the same table adds no version
    assert await versions(server) == 1
    gbk = (DATA / "catalogue_issue_shape_gbk.csv").read_bytes()
    reply = await server.send("PUT", CATALOGUE, token=admin, body=gbk, headers=CSV)
    assert reply.json() == {"version": 2, "entries": 7}
    body, headers = form(
        (DATA / "catalogue_jiaozuo_shape.csv").read_bytes(),
        (DATA / "catalogue_jiaozuo_shape.toml").read_text("utf-8"),
    )
    reply = await server.send("PUT", CATALOGUE, token=admin, body=body, headers=headers)
    assert reply.json() == {"version": 3, "entries": 5}
    shown = (await server.send("GET", CATALOGUE, token=admin)).json()
    assert shown["entries"][0]["retention"] == "永久"


async def test_acts_from_a_workbook_and_from_the_same_saved_as_gbk_csv(server):
    clerk = await server.add_user()
    workbook = (DATA / "acts_case_system.xlsx").read_bytes()
    reply = await server.send("POST", ACTS_IMPORT, token=clerk, body=workbook, headers=XLSX)
    assert reply.json() == {"cases_added": 2, "acts_added": 3, "acts_unchanged": 0}, reply.body
    case = "冀石执罚〔2026〕第0101号"
    coverage = (await server.send("GET", COVERAGE + f"?case_number={case}", token=clerk)).json()
    first, second = coverage["acts"]
    assert (first["started_at"], first["ended_at"]) == (
        "2026-11-29T02:00:00Z",
        "2026-11-29T02:45:00Z",
    )
    assert (second["started_at"], second["ended_at"]) == (
        "2026-11-29T04:00:00Z",
        "2026-11-29T05:30:00Z",
    )
    assert first["officers"] == ["130102001", "130102002"] and first["act_type"] == "seizure"
    gbk = (DATA / "acts_excel_gbk.csv").read_bytes()
    assert b"2026/11/29 10:00" in gbk
    reply = await server.send("POST", ACTS_IMPORT, token=clerk, body=gbk, headers=CSV)
    assert reply.json() == {"cases_added": 0, "acts_added": 0, "acts_unchanged": 3}
    dry = await server.send(
        "POST", ACTS_IMPORT + "?dry_run=true", token=clerk, body=gbk, headers=CSV
    )
    assert dry.json()["dry_run"] is True and dry.json()["acts_unchanged"] == 3
    assert dry.json()["mapping"]["columns"]["执法机关"]["header"] == "执法主体"


async def test_the_officer_roster_is_imported_from_a_table(server):
    clerk = await server.add_user()
    workbook = (DATA / "officers.xlsx").read_bytes()
    dry = await server.send(
        "POST", OFFICERS_IMPORT + "?dry_run=true", token=clerk, body=workbook, headers=XLSX
    )
    assert (dry.json()["officers_added"], dry.json()["dry_run"]) == (3, True)
    assert (await server.send("GET", OFFICERS, token=clerk)).json() == {"officers": []}
    reply = await server.send("POST", OFFICERS_IMPORT, token=clerk, body=workbook, headers=XLSX)
    assert reply.json() == {"officers_added": 3, "officers_changed": 0, "officers_unchanged": 0}
    moved = "执法证号,姓名,所属单位\r\n130102003,赵磊,第一中队\r\n130102004,孙悦,\r\n".encode("gbk")
    reply = await server.send("POST", OFFICERS_IMPORT, token=clerk, body=moved, headers=CSV)
    assert reply.json() == {"officers_added": 1, "officers_changed": 1, "officers_unchanged": 0}
    listed = (await server.send("GET", OFFICERS, token=clerk)).json()["officers"]
    assert listed[2] == {"officer_id": "130102003", "name": "赵磊", "unit": "第一中队"}
    twice = "工号,姓名\n130102009,甲\n130102009,乙\n,丙\n".encode()
    reply = await server.send("POST", OFFICERS_IMPORT, token=clerk, body=twice, headers=CSV)
    assert (reply.status, reply.code) == (400, "bad_csv")
    assert [(e["row"], e["column"]) for e in reply.json()["error"]["details"]["errors"]] == [
        (3, "工号"),
        (4, "工号"),
    ]
    assert len((await server.send("GET", OFFICERS, token=clerk)).json()["officers"]) == 4
