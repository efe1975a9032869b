"""Per-case access, against a real server: a person limited to some cases (by number or
by agency) reaches only those, and what lies outside them answers as if it did not
exist: the same status, code and words an unknown recording, case or act gets. Questions
across every case are refused with 403 ``cases_limited``."""

import json
import re

from evidence import wire
from tests.builders import CASE
from tests.compliance.helpers import AGENCY, add_act, add_case, recording
from tests.conftest import Server

OTHER = "冀石执罚〔2026〕第0099号"
OTHER_AGENCY = "石家庄市市场监督管理局"
UNKNOWN_ID = "0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a"


def body(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


async def limit(server: Server, admin: str, name: str, **access: object) -> dict:
    reply = await server.send(
        "PUT", wire.USER_ACCESS.format(name=name), token=admin, body=body(access)
    )
    assert reply.status == 200, reply.body
    return reply.json()


async def world(server: Server) -> tuple[str, str, int, int, str]:
    """Two cases of two agencies, an act and a recording in each; an admin's session."""
    await server.add_person("root", "admin")
    admin = await server.sign_in("root")
    await add_case(server, admin, CASE, AGENCY)
    await add_case(server, admin, OTHER, OTHER_AGENCY)
    mine = await add_act(server, admin, "seizure", 0, 10, case_number=CASE)
    theirs = await add_act(server, admin, "seizure", 0, 10, case_number=OTHER)
    seen = await recording(server, 0, 10, case_number=CASE)
    hidden = await recording(server, 0, 10, case_number=OTHER)
    return (
        admin,
        str(seen.signed.manifest.evidence_id),
        mine,
        theirs,
        str(hidden.signed.manifest.evidence_id),
    )


def answer(reply) -> tuple[int, str | None, str]:
    return reply.status, reply.code, re.sub(r"\d+", "#", reply.json()["error"]["message"])


async def test_outside_their_cases_a_person_is_answered_as_if_nothing_were_there(server):
    admin, seen, mine, theirs, hidden = await world(server)
    await server.add_person("wang", "custodian")
    shown = await limit(server, admin, "wang", all_cases=False, cases=["冀石执罚[2026]第0012号"])
    assert shown["cases"] == [CASE] and shown["agencies"] == []
    wang = await server.sign_in("wang")

    async def get(path: str):
        return await server.send("GET", path, token=wang)

    assert (await get(wire.RECORDING.format(evidence_id=seen))).status == 200
    refused = await get(wire.RECORDING.format(evidence_id=hidden))
    unknown = await get(wire.RECORDING.format(evidence_id=UNKNOWN_ID))
    assert refused.status == unknown.status == 404 and refused.code == unknown.code
    for path in (wire.RECORDING_MANIFEST, wire.RECORDING_VERIFY):
        reply = await server.send(
            "POST" if path == wire.RECORDING_VERIFY else "GET",
            path.format(evidence_id=hidden, role="original"),
            token=wang,
        )
        assert (reply.status, reply.code) == (404, "not_found"), path

    assert (await get(wire.ACT.format(act_id=mine))).status == 200
    assert answer(await get(wire.ACT.format(act_id=theirs))) == answer(
        await get(wire.ACT.format(act_id=999))
    )
    covered = await get(wire.COVERAGE + f"?case_number={CASE}")
    assert covered.status == 200
    other = await get(wire.COVERAGE + f"?case_number={OTHER}")
    never = await get(wire.COVERAGE + "?case_number=冀石执罚〔2026〕第0777号")
    assert (other.status, other.code) == (never.status, never.code) == (404, "unknown_case")
    listed = (await get(wire.RECORDINGS + f"?case_number={CASE}")).json()["recordings"]
    assert [r["evidence_id"] for r in listed] == [seen]
    assert (await get(wire.RECORDINGS + f"?case_number={OTHER}")).code == "unknown_case"
    assert (await get(wire.SUGGESTIONS + f"?act_id={theirs}")).code == "unknown_act"

    exempt = {
        "reason": "emergency",
        "approver": "张局长",
        "approved_at": "2026-03-12T10:00:00+08:00",
    }
    await server.add_person("zhao", "supervisor")
    await limit(server, admin, "zhao", all_cases=False, cases=[CASE])
    zhao = await server.sign_in("zhao")
    path = wire.ACT_EXEMPTIONS.format(act_id=theirs)
    reply = await server.send("POST", path, token=zhao, body=body(exempt))
    assert (reply.status, reply.code) == (404, "unknown_act")
    path = wire.ACT_EXEMPTIONS.format(act_id=mine)
    assert (await server.send("POST", path, token=zhao, body=body(exempt))).status == 201


async def test_questions_across_every_case_are_refused_to_a_limited_person(server):
    admin, *_ = await world(server)
    await server.add_person("wang", "custodian")
    await limit(server, admin, "wang", all_cases=False, cases=[CASE])
    wang = await server.sign_in("wang")
    for method, path in (
        ("GET", wire.RECORDINGS),
        ("GET", wire.FLAGS),
        ("GET", wire.REPORT),
        ("GET", wire.UNASSIGNED),
        ("GET", wire.SUGGESTIONS),
        ("POST", wire.CASES_IMPORT),
    ):
        reply = await server.send(method, path, token=wang, body=b"x" if method == "POST" else None)
        assert (reply.status, reply.code) == (403, "cases_limited"), path
        assert "name one" in reply.json()["error"]["message"]


async def test_an_agency_grant_reaches_that_agencys_cases_and_new_ones(server):
    admin, seen, _, theirs, hidden = await world(server)
    await server.add_person("li", "custodian")
    await limit(server, admin, "li", all_cases=False, agencies=[OTHER_AGENCY])
    li = await server.sign_in("li")
    assert (await server.send("GET", wire.ACT.format(act_id=theirs), token=li)).status == 200
    reply = await server.send("GET", wire.RECORDING.format(evidence_id=hidden), token=li)
    assert reply.status == 200
    reply = await server.send("GET", wire.RECORDING.format(evidence_id=seen), token=li)
    assert reply.status == 404
    new = {"case_number": "冀石执罚〔2026〕第0100号", "agency": OTHER_AGENCY}
    assert (await server.send("POST", wire.CASES, token=li, body=body(new))).status == 201
    elsewhere = {"case_number": "冀石执罚〔2026〕第0101号", "agency": AGENCY}
    reply = await server.send("POST", wire.CASES, token=li, body=body(elsewhere))
    assert (reply.status, reply.code) == (403, "cases_limited")
    await limit(server, admin, "li", all_cases=True)  # from their next request
    assert (await server.send("GET", wire.FLAGS, token=li)).status == 200


async def test_access_is_set_by_admins_only_and_checked(server):
    admin, *_ = await world(server)
    await server.add_person("wang", "custodian")
    wang = await server.sign_in("wang")
    path = wire.USER_ACCESS.format(name="wang")
    reply = await server.send("PUT", path, token=wang, body=body({"all_cases": True}))
    assert (reply.status, reply.code) == (403, "forbidden")
    reply = await server.send(
        "PUT", path, token=admin, body=body({"all_cases": True, "cases": [CASE]})
    )
    assert (reply.status, reply.code) == (400, "bad_body")
    reply = await server.send(
        "PUT", path, token=admin, body=body({"all_cases": False, "cases": ["not a case"]})
    )
    assert (reply.status, reply.code) == (400, "bad_case_number")
    nobody = wire.USER_ACCESS.format(name="nobody")
    reply = await server.send("PUT", nobody, token=admin, body=body({"all_cases": True}))
    assert (reply.status, reply.code) == (404, "unknown_user")
