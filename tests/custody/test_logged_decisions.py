"""Every decision a person makes about the record is logged, with who (and in what role),
when, why and about what, in the transaction that keeps it: a flag resolved, an act
exempted and the exemption withdrawn, a suggestion confirmed, an act edited; and every
ingest as finalize indexes it. An event whose log entry cannot be written is not kept."""

import sqlite3

from evidence.tlog.leaf_decisions import Decision, DecisionLeaf
from evidence.tlog.leaf_events import IngestLeaf
from evidence.tlog.leaves import parse_leaf
from evidence.wire import (
    ACT,
    ACT_EXEMPTIONS,
    EXEMPTION_WITHDRAW,
    FINALIZE,
    FLAG_RESOLVE,
    FLAGS,
    SUGGESTION_CONFIRM,
)
from tests.compliance.helpers import add_act, add_case, at, body, recording
from tests.custody.helpers import stored_recording
from tests.ingest.helpers import created, prepared, upload_all


async def decisions(server) -> list[DecisionLeaf]:
    entries = await server.ctx.index.log.leaves(0, 1000)
    return [leaf for e in entries if isinstance(leaf := parse_leaf(e.body), DecisionLeaf)]


def break_the_log(server) -> sqlite3.Connection:
    raw = sqlite3.connect(server.ctx.config.index_path)
    raw.execute(
        "CREATE TRIGGER full_disk BEFORE INSERT ON log_leaves "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    raw.commit()
    return raw


async def test_a_flag_resolution_is_logged_with_the_person_and_why(server):
    ready = await stored_recording(server)  # uploaded long after capture: late_upload
    chief = await server.add_user("zhao", "supervisor")
    [flag] = (await server.send("GET", FLAGS + "?kind=late_upload", token=chief)).json()["flags"]
    path = FLAG_RESOLVE.format(flag_id=flag["flag_id"])

    raw = break_the_log(server)
    refused = await server.send("POST", path, token=chief, body=body({"reason": "站点断网"}))
    assert (refused.status, refused.code) == (500, "storage_failure")
    still = (await server.send("GET", FLAGS + "?kind=late_upload", token=chief)).json()["flags"]
    assert still == [flag], "not logged, not resolved"
    raw.execute("DROP TRIGGER full_disk")
    raw.commit()
    raw.close()

    reply = await server.send("POST", path, token=chief, body=body({"reason": "站点断网"}))
    assert reply.status == 200, reply.body
    [leaf] = await decisions(server)
    assert leaf.decision is Decision.FLAG_RESOLVED
    assert (leaf.actor.name, leaf.actor.role.value) == ("zhao", "supervisor")
    assert leaf.subject.flag_id == flag["flag_id"]
    assert leaf.subject.evidence_id == ready.signed.manifest.evidence_id
    assert leaf.reason == "站点断网"


async def test_exemptions_withdrawals_suggestions_and_edits_are_logged(server):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    await add_case(server, clerk)
    act = await add_act(server, clerk, "interview_room", 0, 30, devices=("BWC-00042",))
    exempted = await server.send(
        "POST",
        ACT_EXEMPTIONS.format(act_id=act),
        token=chief,
        body=body({"reason": "emergency", "approver": "张局长", "approved_at": at(0).isoformat()}),
    )
    assert exempted.status == 201, exempted.body
    exemption_id = exempted.json()["exemption_id"]
    withdrawn = await server.send(
        "POST",
        EXEMPTION_WITHDRAW.format(exemption_id=exemption_id),
        token=chief,
        body=body({"reason": "录像已找到"}),
    )
    assert withdrawn.status == 200, withdrawn.body
    found = await recording(server, 0, 10, case_number=None, officer=None)
    evidence_id = str(found.signed.manifest.evidence_id)
    confirmed = await server.send(
        "POST",
        SUGGESTION_CONFIRM,
        token=clerk,
        body=body({"evidence_id": evidence_id, "act_id": act}),
    )
    assert confirmed.status == 201, confirmed.body
    edit = body({"revision": 1, "changes": {"place": "二楼询问室"}, "reason": "笔误"})
    assert (
        await server.send("PATCH", ACT.format(act_id=act), token=clerk, body=edit)
    ).status == 200

    logged = await decisions(server)
    assert [leaf.decision for leaf in logged] == [
        Decision.EXEMPTION,
        Decision.EXEMPTION_WITHDRAWN,
        Decision.SUGGESTION_CONFIRMED,
        Decision.ACT_EDITED,
    ]
    exemption, withdrawal, suggestion, edited = logged
    assert (exemption.actor.name, exemption.subject.act_id, exemption.reason) == (
        "zhao",
        act,
        "emergency",
    )
    assert "张局长" in (exemption.detail or "")
    assert (withdrawal.subject.exemption_id, withdrawal.reason) == (exemption_id, "录像已找到")
    assert (suggestion.actor.role.value, str(suggestion.subject.evidence_id)) == (
        "custodian",
        evidence_id,
    )
    assert (edited.reason, edited.detail) == ("笔误", '{"changed":["place"],"revision":2}')


async def test_an_ingest_whose_entry_cannot_be_logged_is_not_indexed_until_it_can(server):
    ready = await prepared(server)
    manifest = ready.signed.manifest
    path = FINALIZE.format(evidence_id=manifest.evidence_id, role=manifest.role.value)
    raw = break_the_log(server)
    await upload_all(server, ready, await created(server, ready))
    refused = await server.send("POST", path, token=ready.token)
    assert (refused.status, refused.code) == (500, "storage_failure")
    assert await server.ctx.index.objects.get(manifest.evidence_id, manifest.role) is None
    raw.execute("DROP TRIGGER full_disk")
    raw.commit()
    raw.close()
    receipt = await server.send("POST", path, token=ready.token)  # the agent asks again
    assert receipt.status == 200, receipt.body
    [entry] = await server.ctx.index.log.leaves(0, 10)
    leaf = parse_leaf(entry.body)
    assert isinstance(leaf, IngestLeaf) and leaf.evidence_id == manifest.evidence_id
    assert leaf.sha256 == manifest.sha256 and leaf.manifest_sha256 == ready.signed.sha256
