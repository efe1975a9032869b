"""Compliance bodies (JSON and CSV) are read to their end through a slow, fragmenting
link (issue 8): an import is all or nothing however its bytes arrive, and a file cut short
imports nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from evidence.wire import (
    ACT,
    ACT_EXEMPTIONS,
    ACTS,
    ACTS_IMPORT,
    CASES,
    CASES_IMPORT,
    CATALOGUE,
    EXEMPTION_WITHDRAW,
    OFFICERS_IMPORT,
    SUGGESTION_CONFIRM,
    SUGGESTION_REJECT,
)
from tests.builders import CASE
from tests.compliance.helpers import AGENCY, T0, add_act, add_case, at, body, recording
from tests.conftest import Server
from tests.fault_proxy import Link

CSV = {"Content-Type": "text/csv"}
ACTS_HEADER = "案件编号,执法机关,当事人,事项,开始时间,结束时间,地点,执法人员,设备,外部编号"
SUBJECT = "某建材公司（统一社会信用代码91130100MA0000000X）" * 4


def acts_export(rows: int, *, bad_last: bool = False) -> bytes:
    lines = [ACTS_HEADER]
    for i in range(rows):
        start = T0 + timedelta(minutes=15 * i)
        started = "not a time" if bad_last and i == rows - 1 else f"{start:%Y-%m-%d %H:%M}"
        lines.append(
            f"{CASE},{AGENCY},某建材公司,查封扣押财产,{started},"
            f"{start + timedelta(minutes=10):%Y-%m-%d %H:%M},中山东路12号,130102001,"
            f"BWC-00042,ZF-{i:04d}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


async def acts_held(server: Server) -> int:
    cases = server.ctx.index.compliance.cases
    return len(await cases.acts_of(server.ctx.case_rule.parse(CASE)))


async def test_a_thousand_row_acts_import_through_a_slow_link_imports_every_row(
    server, slow, slow_link
):
    slow_link.to_server = Link(burst=8 * 1024, pause=0.02)
    clerk = await server.add_user()
    export = acts_export(1000)
    reply = await slow.send("POST", ACTS_IMPORT, token=clerk, body=export, headers=CSV)
    assert reply.json() == {"cases_added": 1, "acts_added": 1000, "acts_unchanged": 0}
    assert await acts_held(server) == 1000


async def test_a_thousand_row_acts_import_with_a_bad_last_row_imports_none(server, slow, slow_link):
    slow_link.to_server = Link(burst=8 * 1024, pause=0.02)
    clerk = await server.add_user()
    export = acts_export(1000, bad_last=True)
    reply = await slow.send("POST", ACTS_IMPORT, token=clerk, body=export, headers=CSV)
    assert (reply.status, reply.code) == (400, "bad_csv"), reply.body
    assert reply.json()["error"]["details"]["row"] == 1001
    assert await server.ctx.index.compliance.cases.case(server.ctx.case_rule.parse(CASE)) is None


async def test_an_acts_import_cut_short_imports_nothing(server):
    clerk = await server.add_user()
    export = acts_export(1000)
    host, port = server.url.removeprefix("http://").split(":")
    _reader, writer = await asyncio.open_connection(host, int(port))
    head = [
        f"POST {ACTS_IMPORT} HTTP/1.1",
        f"Host: {host}",
        f"Authorization: Bearer {clerk}",
        "Content-Type: text/csv",
        f"Content-Length: {len(export)}",
    ]
    cut_at = export.index(b"\r\n", 20_000) + 2  # a clean row boundary: a valid shorter file
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + export[:cut_at])
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.3)
    assert await server.ctx.index.compliance.cases.case(server.ctx.case_rule.parse(CASE)) is None


async def test_a_catalogue_through_a_slow_link_is_replaced_whole(server, slow, slow_link):
    slow_link.to_server = Link(burst=256, pause=0.001)
    admin = await server.add_user("li", "admin")
    current = await server.send("GET", CATALOGUE + "?format=csv", token=admin)
    entries = len((await server.send("GET", CATALOGUE, token=admin)).json()["entries"])
    text = current.body.decode().replace("Forced demolition", "Forced demolition (revised)")
    reply = await slow.send("PUT", CATALOGUE, token=admin, body=text.encode(), headers=CSV)
    assert reply.json() == {"version": 1, "entries": entries}
    shown = (await server.send("GET", CATALOGUE, token=admin)).json()["entries"]
    assert "Forced demolition (revised)" in [entry["name_en"] for entry in shown]


async def test_a_case_and_a_cases_import_through_a_slow_link_arrive_whole(server, slow):
    clerk = await server.add_user()
    case = body({"case_number": CASE, "agency": AGENCY, "subject": SUBJECT})
    reply = await slow.send("POST", CASES, token=clerk, body=case)
    assert reply.status == 201, reply.body
    assert reply.json()["subject"] == SUBJECT
    export = (
        f"案件编号,执法机关,当事人\n{CASE},{AGENCY},{SUBJECT}\nJSZF-2026-0099,长安区应急管理局,\n"
    )
    reply = await slow.send("POST", CASES_IMPORT, token=clerk, body=export.encode(), headers=CSV)
    assert reply.json() == {"cases_added": 1, "acts_added": 0, "acts_unchanged": 0}


async def test_an_act_and_its_edit_through_a_slow_link_arrive_whole(server, slow):
    clerk = await server.add_user()
    await add_case(server, clerk)
    act = {
        "case_number": CASE,
        "act_type": "seizure",
        "started_at": at(0).isoformat(),
        "ended_at": at(10).isoformat(),
        "place": "中山东路12号",
        "officers": ["130102001", "130102002"],
        "devices": ["BWC-00042"],
        "reference": "ZF-1",
    }
    reply = await slow.send("POST", ACTS, token=clerk, body=body(act))
    assert reply.status == 201, reply.body
    assert reply.json()["reference"] == "ZF-1"
    edit = {"revision": 1, "changes": {"place": "中山东路14号"}, "reason": "地址录入错误" * 10}
    path = ACT.format(act_id=reply.json()["act_id"])
    edited = await slow.send("PATCH", path, token=clerk, body=body(edit))
    assert edited.status == 200, edited.body
    assert (edited.json()["place"], edited.json()["revision"]) == ("中山东路14号", 2)


async def test_an_exemption_and_its_withdrawal_through_a_slow_link_arrive_whole(server, slow):
    clerk = await server.add_user()
    chief = await server.add_user("zhao", "supervisor")
    await add_case(server, clerk)
    act = await add_act(server, clerk, "interview_room", 0, 30)
    exemption = {
        "reason": "emergency",
        "approver": "张局长",
        "approved_at": at(0).isoformat(),
        "note": "现场突发火情" * 10,
    }
    path = ACT_EXEMPTIONS.format(act_id=act)
    reply = await slow.send("POST", path, token=chief, body=body(exemption))
    assert reply.status == 201, reply.body
    assert reply.json()["note"] == exemption["note"]
    withdraw = EXEMPTION_WITHDRAW.format(exemption_id=reply.json()["exemption_id"])
    reply = await slow.send("POST", withdraw, token=chief, body=body({"reason": "录像已找到"}))
    assert reply.status == 200, reply.body
    assert reply.json()["withdrawal"]["reason"] == "录像已找到"


async def test_suggestion_decisions_through_a_slow_link_arrive_whole(server, slow):
    clerk = await server.add_user()
    await add_case(server, clerk)
    first = await recording(server, 0, 10, case_number=None, officer=None)
    second = await recording(server, 20, 30, case_number=None, officer=None)
    act = await add_act(server, clerk, "seizure", 0, 30, devices=("BWC-00042",))
    for ready, path, decision in (
        (first, SUGGESTION_CONFIRM, "confirmed"),
        (second, SUGGESTION_REJECT, "rejected"),
    ):
        evidence_id = str(ready.signed.manifest.evidence_id)
        sent = {"evidence_id": evidence_id, "act_id": act, "note": "同一执法记录仪" * 10}
        reply = await slow.send("POST", path, token=clerk, body=body(sent))
        assert reply.status == 201, reply.body
        assert (reply.json()["decision"], reply.json()["note"]) == (decision, sent["note"])


async def test_a_roster_workbook_and_a_table_with_its_mapping_through_a_slow_link(server, slow):
    """Issue 15: an .xlsx roster and a multipart form (a table and its mapping) arrive whole
    through the fragmenting link."""
    from tests.compliance.test_published_tables import DATA, XLSX, form

    clerk = await server.add_user()
    workbook = (DATA / "officers.xlsx").read_bytes()
    reply = await slow.send("POST", OFFICERS_IMPORT, token=clerk, body=workbook, headers=XLSX)
    assert reply.json() == {"officers_added": 3, "officers_changed": 0, "officers_unchanged": 0}
    admin = await server.add_user("root", "admin")
    table, headers = form(
        (DATA / "catalogue_jiaozuo_shape.csv").read_bytes(),
        (DATA / "catalogue_jiaozuo_shape.toml").read_text("utf-8"),
    )
    reply = await slow.send("PUT", CATALOGUE, token=admin, body=table, headers=headers)
    assert reply.json() == {"version": 1, "entries": 5}
