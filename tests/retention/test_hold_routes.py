"""Legal holds over HTTP against a real server: set and lifted with who, when and why,
each logged once in the custody log; malformed, forged and replayed requests refused with
their codes and nothing written; roles that may not hold are refused."""

from __future__ import annotations

from evidence.tlog.leaf_holds import HoldChange, HoldLeaf
from evidence.tlog.leaves import parse_leaf
from evidence.wire import HOLD_LIFT, HOLDS, RETENTION
from tests.builders import CASE
from tests.compliance.helpers import add_case, body, recording
from tests.conftest import Server


async def hold_leaves(server: Server) -> list[HoldLeaf]:
    log = server.ctx.index.log
    entries = await log.leaves(0, await log.size())
    return [leaf for e in entries if isinstance(leaf := parse_leaf(e.body), HoldLeaf)]


async def test_a_case_hold_is_set_listed_and_lifted_once_with_who_and_why(server):
    clerk = await server.add_user()
    chief = await server.add_user("zhao", "supervisor")
    await add_case(server, clerk)
    reply = await server.send(
        "POST", HOLDS, token=clerk, body=body({"case_number": CASE, "reason": "行政复议"})
    )
    assert reply.status == 201, reply.body
    held = reply.json()
    assert (held["case_number"], held["set_by"], held["set_role"]) == (
        CASE,
        "custodian-1",
        "custodian",
    )
    assert held["standing"] is True
    listed = await server.send("GET", f"{HOLDS}?case_number={CASE}", token=chief)
    assert [h["hold_id"] for h in listed.json()["holds"]] == [held["hold_id"]]
    lift = HOLD_LIFT.format(hold_id=held["hold_id"])
    reply = await server.send("POST", lift, token=chief, body=body({"reason": "复议终结"}))
    assert reply.status == 200, reply.body
    assert reply.json()["lift"]["lifted_by"] == "zhao" and reply.json()["standing"] is False
    again = await server.send("POST", lift, token=chief, body=body({"reason": "再次解除"}))
    assert (again.status, again.code) == (409, "already_lifted")
    assert again.json()["error"]["details"]["lifted_by"] == "zhao"
    leaves = await hold_leaves(server)
    assert [(x.change, x.actor.name, x.reason) for x in leaves] == [
        (HoldChange.SET, "custodian-1", "行政复议"),
        (HoldChange.LIFTED, "zhao", "复议终结"),
    ]
    assert (await server.send("GET", HOLDS, token=chief)).json()["holds"] == []
    everything = await server.send("GET", f"{HOLDS}?all=1", token=chief)
    assert len(everything.json()["holds"]) == 1


async def test_a_recording_hold_makes_it_held_in_the_retention_report(server):
    clerk = await server.add_user()
    loose = await recording(server, 0, 10, case_number=None)
    evidence_id = str(loose.signed.manifest.evidence_id)
    before = await server.send("GET", f"{RETENTION}?evidence_id={evidence_id}", token=clerk)
    line = before.json()["recordings"][0]
    assert (line["class"], line["source"], line["status"]) == ("six_months", "default", "kept")
    assert line["removable_at"] is not None
    reply = await server.send(
        "POST", HOLDS, token=clerk, body=body({"evidence_id": evidence_id, "reason": "投诉调查"})
    )
    assert reply.status == 201, reply.body
    after = await server.send("GET", f"{RETENTION}?evidence_id={evidence_id}", token=clerk)
    assert after.json()["recordings"][0]["status"] == "held"
    assert after.json()["recordings"][0]["holds"] == [reply.json()["hold_id"]]


async def test_a_recording_of_a_case_is_permanent_in_the_report(server):
    clerk = await server.add_user()
    await recording(server, 0, 10)
    report = (await server.send("GET", RETENTION, token=clerk)).json()
    assert [c["name"] for c in report["classes"]] == ["permanent", "long", "six_months"]
    line = report["recordings"][0]
    assert (line["class"], line["source"], line["because"]) == ("permanent", "case", CASE)
    assert (line["removable_at"], line["status"]) == (None, "permanent")


BAD = [
    ({"reason": "x"}, 400, "bad_body"),  # on nothing
    ({"case_number": CASE, "evidence_id": "0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a", "reason": "x"}, 400, "bad_body"),
    ({"case_number": CASE}, 400, "bad_body"),  # no reason
    ({"case_number": CASE, "reason": ""}, 400, "bad_body"),
    ({"case_number": CASE, "reason": "a\u0000b"}, 400, "bad_body"),
    ({"case_number": CASE, "reason": "x" * 1025}, 400, "bad_body"),
    ({"case_number": CASE, "reason": "x", "set_by": "director"}, 400, "bad_body"),  # forged
    ({"case_number": CASE, "reason": "x", "set_at": "2020-01-01T00:00:00Z"}, 400, "bad_body"),
    ({"case_number": 7, "reason": "x"}, 400, "bad_body"),
    ({"evidence_id": "not-an-id", "reason": "x"}, 400, "bad_identifier"),
    ({"case_number": "冀石执罚〔2026〕第9999号", "reason": "x"}, 404, "unknown_case"),
    ({"evidence_id": "0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a", "reason": "x"}, 404, "not_found"),
]  # fmt: skip


async def test_malformed_and_forged_holds_are_refused_and_nothing_is_written(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    for sent, status, code in BAD:
        reply = await server.send("POST", HOLDS, token=clerk, body=body(sent))
        assert (reply.status, reply.code) == (status, code), (sent, reply.body)
    for raw in (b"", b"[]", b"{", b'{"case_number": "x", "reason": "x"} trailing'):
        reply = await server.send("POST", HOLDS, token=clerk, body=raw)
        assert (reply.status, reply.code) == (400, "bad_body"), (raw, reply.body)
    reply = await server.send(
        "POST", HOLD_LIFT.format(hold_id=5), token=clerk, body=body({"reason": "x"})
    )
    assert (reply.status, reply.code) == (404, "unknown_hold")
    reply = await server.send(
        "POST", HOLD_LIFT.format(hold_id="x"), token=clerk, body=body({"reason": "x"})
    )
    assert (reply.status, reply.code) == (400, "bad_identifier")
    assert await hold_leaves(server) == []
    assert await server.ctx.index.holds.find(None, None, False, 100, 0) == []


async def test_a_replayed_lift_writes_nothing_twice(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    sent = body({"case_number": CASE, "reason": "诉讼"})
    held = (await server.send("POST", HOLDS, token=clerk, body=sent)).json()
    lift = HOLD_LIFT.format(hold_id=held["hold_id"])
    replies = [
        await server.send("POST", lift, token=clerk, body=body({"reason": "结案"}))
        for _ in range(3)
    ]
    assert [r.status for r in replies] == [200, 409, 409]
    assert len(await hold_leaves(server)) == 2


async def test_roles_that_may_not_hold_are_refused(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    held = (
        await server.send(
            "POST", HOLDS, token=clerk, body=body({"case_number": CASE, "reason": "诉讼"})
        )
    ).json()
    for role in ("reviewer", "auditor"):
        token = await server.add_user(f"a-{role}", role)
        reply = await server.send(
            "POST", HOLDS, token=token, body=body({"case_number": CASE, "reason": "x"})
        )
        assert (reply.status, reply.code) == (403, "forbidden")
        lift = HOLD_LIFT.format(hold_id=held["hold_id"])
        reply = await server.send("POST", lift, token=token, body=body({"reason": "x"}))
        assert (reply.status, reply.code) == (403, "forbidden")
    assert len(await hold_leaves(server)) == 1


async def test_a_hold_and_its_lift_through_a_slow_link_keep_the_whole_reason(server, slow):
    clerk = await server.add_user()
    await add_case(server, clerk)
    reason = "行政复议申请人要求保全全部执法录像" * 20
    reply = await slow.send(
        "POST", HOLDS, token=clerk, body=body({"case_number": CASE, "reason": reason})
    )
    assert reply.status == 201, reply.body
    assert reply.json()["reason"] == reason
    lift = HOLD_LIFT.format(hold_id=reply.json()["hold_id"])
    reply = await slow.send("POST", lift, token=clerk, body=body({"reason": reason[:1000]}))
    assert reply.status == 200, reply.body
    assert reply.json()["lift"]["reason"] == reason[:1000]
