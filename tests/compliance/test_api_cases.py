"""Cases, acts, their edit history, the catalogue and CSV imports over the API: good input,
malformed, oversized, forged and replayed input, each answered with its stable code."""

import re

import pytest

from evidence.catalogue import Catalogue
from evidence.errors import MalformedBody
from evidence.wire import (
    ACT,
    ACTS,
    ACTS_IMPORT,
    CASES,
    CASES_IMPORT,
    CATALOGUE,
    COVERAGE,
    REPORT,
    UNASSIGNED,
)
from ingest.compliance.acts import ActDraft, register_act
from tests.builders import CASE
from tests.compliance.helpers import AGENCY, add_act, add_case, at, body

CSV = {"Content-Type": "text/csv"}
ACTS_HEADER = "案件编号,执法机关,当事人,事项,开始时间,结束时间,地点,执法人员,设备,外部编号"


def act_body(**changes):
    document = {
        "case_number": CASE,
        "act_type": "seizure",
        "started_at": at(0).isoformat(),
        "ended_at": at(10).isoformat(),
        "place": "中山东路12号",
        "officers": ["130102001"],
        "devices": ["BWC-00042"],
    }
    document.update(changes)
    return body({k: v for k, v in document.items() if v is not ...})


async def test_a_case_and_its_act_are_registered_once(server):
    clerk = await server.add_user()
    first = await add_case(server, clerk, "冀石执罚[2026]第0012号")  # any typed form
    assert first.status == 201 and first.json()["case_number"] == CASE
    assert (await add_case(server, clerk)).status == 200
    conflict = await server.send(
        "POST", CASES, token=clerk, body=body({"case_number": CASE, "agency": "另一个局"})
    )
    assert (conflict.status, conflict.code) == (409, "case_conflict")
    created = await server.send("POST", ACTS, token=clerk, body=act_body(act_type="查封扣押财产"))
    assert created.status == 201 and created.json()["act_type"] == "seizure"
    again = await server.send("POST", ACTS, token=clerk, body=act_body())
    assert again.status == 200 and again.json()["act_id"] == created.json()["act_id"]
    clash = await server.send("POST", ACTS, token=clerk, body=act_body(place="别处"))
    assert (clash.status, clash.code) == (409, "act_conflict")


async def test_an_edit_is_on_the_record_and_a_replayed_edit_is_refused(server):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    await add_case(server, clerk)
    act_id = await add_act(server, clerk, "seizure", 0, 10)
    path = ACT.format(act_id=act_id)
    edit = body(
        {
            "revision": 1,
            "changes": {"ended_at": at(25).isoformat()},
            "reason": "案件系统录入错误",
        }
    )
    reply = await server.send("PATCH", path, token=chief, body=edit)
    assert reply.status == 200 and reply.json()["revision"] == 2
    replay = await server.send("PATCH", path, token=chief, body=edit)
    assert (replay.status, replay.code) == (409, "stale_revision")
    assert replay.json()["error"]["details"] == {"revision": 2}
    officers = body({"revision": 2, "changes": {"officers": ["130102001", "130102002"]}})
    assert (await server.send("PATCH", path, token=clerk, body=officers)).status == 200
    detail = (await server.send("GET", path, token=clerk)).json()
    registered, window, people = detail["history"]
    assert registered["registered"] is True and registered["changed_by"] == "wang"
    assert window["changed_by"] == "zhao" and window["reason"] == "案件系统录入错误"
    assert set(window["changes"]) == {"ended_at"}
    assert (people["changed_by"], people["reason"]) == ("wang", None)
    assert people["changes"]["officers"] == {
        "old": ["130102001"],
        "new": ["130102001", "130102002"],
    }
    assert (detail["ended_at"], detail["revision"]) == ("2026-03-12T01:55:00Z", 3)


@pytest.mark.parametrize(
    ("act_type", "changes", "custodian", "supervisor"),
    [
        ("seizure", {"ended_at": at(5).isoformat()}, 403, 200),  # could hide a gap
        ("seizure", {"started_at": at(1).isoformat()}, 403, 200),
        ("seizure", {"act_type": "interview_room"}, 403, 200),
        ("seizure", {"case_number": "JSZF-2026-0099"}, 403, 200),
        ("on_site_inspection", {"act_type": "seizure"}, 403, 200),  # full after the edit
        ("seizure", {"place": "仓库"}, 200, 403),  # not the window: the custodian's
        ("seizure", {"devices": ["BWC-00043"]}, 200, 403),
        ("on_site_inspection", {"ended_at": at(5).isoformat()}, 200, 403),  # as-needed
    ],
)
async def test_who_may_edit_what(server, act_type, changes, custodian, supervisor):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    root = await server.add_user("root", "admin")
    await add_case(server, clerk, "JSZF-2026-0099")
    for n, (token, status) in enumerate(((clerk, custodian), (chief, supervisor), (root, 200))):
        case_number = f"JSZF-2026-010{n}"  # an act of its own for each role
        await add_case(server, clerk, case_number)
        act_id = await add_act(server, clerk, act_type, 0, 10, case_number=case_number)
        path = ACT.format(act_id=act_id)
        edit = body({"revision": 1, "changes": changes})
        reply = await server.send("PATCH", path, token=token, body=edit)
        assert reply.status == status, reply.body
        detail = (await server.send("GET", path, token=token)).json()
        if status == 403:
            assert reply.code == "forbidden"
            assert (detail["revision"], len(detail["history"])) == (1, 1), "nothing changed"
        else:
            assert detail["revision"] == 2


@pytest.mark.parametrize(
    ("document", "status", "code"),
    [
        (act_body(act_type=...), 400, "bad_body"),
        (act_body(colour="red"), 400, "bad_body"),
        (act_body(officers="130102001"), 400, "bad_body"),
        (act_body(officers=[str(n) for n in range(51)]), 400, "bad_body"),
        (act_body(started_at="2026-03-12 09:30"), 400, "bad_body"),
        (act_body(ended_at=at(-1).isoformat()), 400, "bad_body"),
        (act_body(place=""), 400, "bad_body"),
        (act_body(case_number="第12号"), 400, "bad_case_number"),
        (act_body(act_type="parking"), 400, "unknown_act_type"),
        (act_body(case_number="JSZF-2026-0077"), 404, "unknown_case"),
        (b"{not json", 400, "bad_body"),
        (b"[]", 400, "bad_body"),
        (b'{"a": 1, "a": 2}', 400, "bad_body"),
        (b"{" + b" " * 70_000 + b"}", 413, "too_large"),
    ],
)
async def test_malformed_acts_are_refused_with_their_code(server, document, status, code):
    clerk = await server.add_user()
    await add_case(server, clerk)
    reply = await server.send("POST", ACTS, token=clerk, body=document)
    assert (reply.status, reply.code) == (status, code), reply.body


@pytest.mark.parametrize(
    ("method", "path", "document", "status", "code"),
    [
        ("GET", ACT.format(act_id="abc"), None, 400, "bad_identifier"),
        ("GET", ACT.format(act_id="²"), None, 400, "bad_identifier"),  # isdigit, not int()
        ("GET", ACT.format(act_id="١"), None, 400, "bad_identifier"),  # Arabic-Indic one
        ("GET", UNASSIGNED + "?limit=²", None, 400, "bad_request"),
        ("GET", REPORT + "?limit=³", None, 400, "bad_request"),
        ("GET", ACT.format(act_id=999), None, 404, "unknown_act"),
        ("PATCH", ACT.format(act_id=1), {"revision": 1, "changes": {}}, 400, "bad_body"),
        ("PATCH", ACT.format(act_id=1), {"revision": 1, "changes": {"act_id": 7}}, 400, "bad_body"),
        ("PATCH", ACT.format(act_id=1), {"changes": {"place": "x"}}, 400, "bad_body"),
        (
            "PATCH",
            ACT.format(act_id=1),
            {"revision": 1, "changes": {"act_type": "x"}},
            400,
            "unknown_act_type",
        ),
        ("GET", COVERAGE, None, 400, "bad_request"),
        ("GET", COVERAGE + "?case_number=JSZF-2026-0077", None, 404, "unknown_case"),
    ],
)
async def test_bad_act_requests(server, method, path, document, status, code):
    clerk = await server.add_user()
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 10)
    sent = None if document is None else body(document)
    reply = await server.send(method, path, token=clerk, body=sent)
    assert (reply.status, reply.code) == (status, code), reply.body


async def test_people_need_a_token_and_the_right_role(server):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    device = await server.add_device()
    device_token = await server.token_for(device)
    case = body({"case_number": CASE, "agency": AGENCY})
    assert (await server.send("POST", CASES, body=case)).code == "unauthenticated"
    assert (await server.send("POST", CASES, token="forged", body=case)).code == "unauthenticated"
    assert (
        await server.send("POST", CASES, token=device_token, body=case)
    ).code == "unauthenticated"
    assert (await server.send("POST", CASES, token=chief, body=case)).code == "forbidden"
    assert (await server.send("POST", CASES, token=clerk, body=case)).status == 201
    assert (await server.send("GET", COVERAGE + f"?case_number={CASE}", token=chief)).status == 200
    csv = Catalogue.default().to_csv().encode()
    reply = await server.send("PUT", CATALOGUE, token=clerk, body=csv, headers=CSV)
    assert (reply.status, reply.code) == (403, "forbidden")


async def test_the_catalogue_is_read_by_all_and_replaced_by_an_admin(server):
    admin = await server.add_user("root", "admin")
    clerk = await server.add_user()
    shown = (await server.send("GET", CATALOGUE, token=clerk)).json()
    assert shown["version"] is None and len(shown["entries"]) == 14
    exported = await server.send("GET", CATALOGUE + "?format=csv", token=clerk)
    assert exported.headers["Content-Type"].startswith("text/csv")
    text = exported.body.decode()
    # The agency adds parking enforcement and records it in full.
    extended = (
        text
        + "行政强制,拖移违停车辆,送达执行,执法现场,执法记录仪,开始拖移时,拖移完毕时,3年,full,towing,,\r\n"
    )
    reply = await server.send("PUT", CATALOGUE, token=admin, body=extended.encode(), headers=CSV)
    assert reply.json() == {"version": 1, "entries": 15}
    await add_case(server, clerk)
    await add_act(server, clerk, "towing", 0, 10)
    reply = await server.send("PUT", CATALOGUE, token=admin, body=text.encode(), headers=CSV)
    assert (reply.status, reply.code) == (409, "catalogue_conflict")
    assert reply.json()["error"]["details"] == {"act_types": ["towing"]}
    broken = text.replace(",full,seizure,", ",always,seizure,")
    reply = await server.send("PUT", CATALOGUE, token=admin, body=broken.encode(), headers=CSV)
    assert (reply.status, reply.code) == (400, "bad_csv")
    assert reply.json()["error"]["details"] == {"row": 2, "column": "duty"}
    reply = await server.send("PUT", CATALOGUE, token=admin, body=text.encode())
    assert (reply.status, reply.code) == (415, "bad_content_type")


async def test_acts_are_imported_from_a_case_system_export(server):
    clerk = await server.add_user()
    export = "\r\n".join(
        [
            ACTS_HEADER,
            f"{CASE},{AGENCY},某建材公司,查封扣押财产,2026-03-12 09:30:00,2026-03-12 09:40,"
            "中山东路12号,130102001;130102002,BWC-00042,ZF-1",
            f"{CASE},{AGENCY},某建材公司,interview_room,2026-03-12T10:00:00+08:00,"
            "2026-03-12T10:30:00+08:00,询问室1,130102001、130102002,,ZF-2",
            "JSZF-2026-0099,长安区应急管理局,,强制拆除,2026-03-13 08:00,2026-03-13 09:00,,,,",
        ]
    ).encode()
    reply = await server.send("POST", ACTS_IMPORT, token=clerk, body=export, headers=CSV)
    assert reply.json() == {"cases_added": 2, "acts_added": 3, "acts_unchanged": 0}
    again = await server.send("POST", ACTS_IMPORT, token=clerk, body=export, headers=CSV)
    assert again.json() == {"cases_added": 0, "acts_added": 0, "acts_unchanged": 3}
    coverage = (await server.send("GET", COVERAGE + f"?case_number={CASE}", token=clerk)).json()
    seizure = coverage["acts"][0]
    assert (seizure["started_at"], seizure["officers"]) == (
        "2026-03-12T01:30:00Z",  # no offset in the export: read in UTC+8
        ["130102001", "130102002"],
    )
    assert coverage["acts"][1]["officers"] == ["130102001", "130102002"]


@pytest.mark.parametrize(
    ("rows", "status", "code", "row", "column"),
    [
        (["案件编号,执法机关,事项,开始时间"], 400, "bad_csv", 1, "结束时间"),
        ([ACTS_HEADER], 400, "bad_csv", 2, None),
        (
            [ACTS_HEADER, f"第12号,{AGENCY},,seizure,2026-03-12 09:30,2026-03-12 09:40,,,,"],
            400,
            "bad_csv",
            2,
            "案件编号",
        ),
        (
            [ACTS_HEADER, f"{CASE},{AGENCY},,parking,2026-03-12 09:30,2026-03-12 09:40,,,,"],
            400,
            "bad_csv",
            2,
            "事项",
        ),
        (
            [ACTS_HEADER, f"{CASE},{AGENCY},,seizure,3月12日,2026-03-12 09:40,,,,"],
            400,
            "bad_csv",
            2,
            "开始时间",
        ),
        (
            [ACTS_HEADER, f"{CASE},{AGENCY},,seizure,2026-03-12 09:30,2026-03-12 09:20,,,,"],
            400,
            "bad_csv",
            2,
            "结束时间",
        ),
        (
            [ACTS_HEADER, f"{CASE},,,seizure,2026-03-12 09:30,2026-03-12 09:40,,,,"],
            400,
            "bad_csv",
            2,
            "执法机关",
        ),
        (
            [ACTS_HEADER, f"{CASE},{AGENCY},,seizure,2026-03-12 09:30,2026-03-12 09:40,,,"],
            400,
            "bad_csv",
            2,
            "外部编号",
        ),
        (
            [
                ACTS_HEADER,
                f"{CASE},{AGENCY},,seizure,2026-03-12 09:30,2026-03-12 09:40,,,,",
                f"{CASE},另一个局,,seizure,2026-03-12 10:30,2026-03-12 10:40,,,,",
            ],
            409,
            "case_conflict",
            3,
            "执法机关",
        ),
        (
            [
                ACTS_HEADER,
                f"{CASE},{AGENCY},,seizure,2026-03-12 09:30,2026-03-12 09:40,,,,ZF-1",
                f"{CASE},{AGENCY},,seizure,2026-03-12 10:30,2026-03-12 10:40,,,,ZF-1",
            ],
            409,
            "act_conflict",
            3,
            "外部编号",
        ),
    ],
)
async def test_csv_import_errors_name_the_row_and_column(server, rows, status, code, row, column):
    clerk = await server.add_user()
    export = "\n".join(rows).encode()
    reply = await server.send("POST", ACTS_IMPORT, token=clerk, body=export, headers=CSV)
    assert (reply.status, reply.code) == (status, code), reply.body
    error = reply.json()["error"]
    assert (error["details"]["row"], error["details"]["column"]) == (row, column)
    assert (
        error["message"].startswith(f"row {row}")
        and len(re.findall(r"row \d", error["message"])) == 1
    )
    assert await server.ctx.index.compliance.cases.case(server.ctx.case_rule.parse(CASE)) is None


async def test_cases_are_imported_and_oversized_or_foreign_files_are_refused(server):
    clerk = await server.add_user()
    export = (
        f"案件编号,执法机关,当事人\n{CASE},{AGENCY},某建材公司\nJSZF-2026-0099,长安区应急管理局,\n"
    )
    reply = await server.send("POST", CASES_IMPORT, token=clerk, body=export.encode(), headers=CSV)
    assert reply.json() == {"cases_added": 2, "acts_added": 0, "acts_unchanged": 0}
    gb = export.encode("gb18030")
    reply = await server.send("POST", CASES_IMPORT, token=clerk, body=gb, headers=CSV)
    assert (reply.status, reply.code) == (400, "bad_csv")
    huge = b"x" * (server.ctx.compliance.max_import_bytes + 1)
    reply = await server.send("POST", CASES_IMPORT, token=clerk, body=huge, headers=CSV)
    assert (reply.status, reply.code) == (413, "too_large")


@pytest.mark.parametrize("field", ["started_at", "ended_at"])
async def test_a_time_without_an_offset_is_blamed_on_its_own_field(server, field):
    """Over the API a time always has an offset; this is the check behind every channel."""
    times = {"started_at": at(0), "ended_at": at(10)}
    times[field] = times[field].replace(tzinfo=None)
    with pytest.raises(MalformedBody, match=f"^{field} needs a UTC offset") as caught:
        await register_act(
            server.ctx.services.compliance, ActDraft(CASE, "seizure", **times), "wang"
        )
    assert caught.value.details == {"field": field}
    assert caught.value.message.startswith(field)
