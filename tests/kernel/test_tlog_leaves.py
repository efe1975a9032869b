"""The log's leaf records: exact canonical bytes, strict reading, RFC 6962 leaf hashes."""

import contextlib
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from evidence.digest import Sha256
from evidence.errors import MalformedLogLeaf
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.tlog.leaf_decisions import (
    CustodyChange,
    CustodyLeaf,
    Decision,
    DecisionLeaf,
    Provenance,
    Subject,
)
from evidence.tlog.leaf_events import (
    AccessAction,
    AccessLeaf,
    FixityFailure,
    FixityLeaf,
    FixityStep,
    IngestLeaf,
)
from evidence.tlog.leaf_holds import HoldChange, HoldLeaf
from evidence.tlog.leaf_parts import Actor, ActorRole, ObjectRef
from evidence.tlog.leaves import leaf_bytes, leaf_hash, parse_leaf

EVIDENCE = EvidenceId("0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a")
AT = datetime(2026, 3, 12, 1, 30, 5, tzinfo=UTC)
DIGEST = Sha256.of(b"footage")
CLERK = Actor("王警官", ActorRole.CUSTODIAN)
CHIEF = Actor("chief", ActorRole.SUPERVISOR)
ORIGINAL = ObjectRef(EVIDENCE, Role.ORIGINAL)

SAMPLES = {
    "ingest": IngestLeaf(
        EVIDENCE,
        Role.ORIGINAL,
        DeviceId("dock-sjz-01"),
        DIGEST,
        Sha256.of(b"m"),
        Sha256.of(b"r"),
        AT,
    ),
    "access": AccessLeaf(CLERK, AccessAction.STREAM, "复核执法过程", "A2026-001", (ORIGINAL,), AT),
    "case export": AccessLeaf(CHIEF, AccessAction.EXPORT, "移送检察院", "A2026-001", (), AT),
    "custody": CustodyLeaf(
        CustodyChange.RECEIVED,
        (ObjectRef(EVIDENCE, Role.ORIGINAL, DIGEST),),
        Provenance(
            "石家庄市公安局",
            "evidence.sjz.example/liuhen/00189bb5",
            42,
            Sha256.of(b"root"),
            "sender",
            AT - timedelta(days=1),
            Sha256.of(b"package"),
        ),
        CLERK,
        None,
        AT,
    ),
    "decision": DecisionLeaf(
        Decision.EXEMPTION, CHIEF, Subject(case="A2026-001", act_id=7), "设备故障", None, AT
    ),
    "fixity": FixityLeaf(ORIGINAL, "daily-2026-03-12", FixityFailure(FixityStep.CHUNKS, 3), AT),
    "fixity ok": FixityLeaf(ORIGINAL, "daily-2026-03-12", None, AT),
    "hold set": HoldLeaf(HoldChange.SET, "A2026-001", None, None, CHIEF, "行政复议", AT),
    "hold lifted": HoldLeaf(HoldChange.LIFTED, None, EVIDENCE, 3, CLERK, "复议终结", AT),
}


@pytest.mark.parametrize("leaf", SAMPLES.values(), ids=SAMPLES.keys())
def test_each_leaf_reads_back_from_its_exact_bytes(leaf):
    data = leaf_bytes(leaf)
    assert parse_leaf(data) == leaf
    assert leaf_hash(leaf) == hashlib.sha256(b"\x00" + data).digest()
    document = json.loads(data)
    assert (document["type"], document["version"]) == (leaf.TYPE, 1)
    assert (
        data
        == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )


def test_times_are_written_in_utc_whatever_zone_they_came_in():
    beijing = AT.astimezone(timezone(timedelta(hours=8)))
    leaf = FixityLeaf(ORIGINAL, "a", None, beijing)
    assert b'"at":"2026-03-12T01:30:05Z"' in leaf_bytes(leaf)
    assert leaf_bytes(leaf) == leaf_bytes(SAMPLES["fixity ok"].__class__(ORIGINAL, "a", None, AT))


def spelled(leaf, old, new):
    data = leaf_bytes(leaf)
    assert old.encode() in data, old
    return data.replace(old.encode(), new.encode(), 1)


NOT_CANONICAL = {
    "a space": (SAMPLES["ingest"], '","role"', '", "role"'),
    "a newline at the end": (SAMPLES["ingest"], '"version":1}', '"version":1}\n'),
    "escaped Chinese": (SAMPLES["access"], "复核", "\\u590d核"),
    "Beijing time": (SAMPLES["access"], "01:30:05Z", "09:30:05+08:00"),
    "+00:00 for Z": (SAMPLES["access"], "01:30:05Z", "01:30:05+00:00"),
    "fractions of zero": (SAMPLES["access"], "01:30:05Z", "01:30:05.000Z"),
    "uppercase digest": (SAMPLES["ingest"], DIGEST.hex, DIGEST.hex.upper()),
    "keys out of order": (SAMPLES["fixity ok"], '{"at"', '{"zz":0,"at"'),
}


@pytest.mark.parametrize(("leaf", "old", "new"), NOT_CANONICAL.values(), ids=NOT_CANONICAL.keys())
def test_any_other_spelling_of_a_leaf_is_refused(leaf, old, new):
    with pytest.raises(MalformedLogLeaf) as caught:
        parse_leaf(spelled(leaf, old, new))
    assert caught.value.code == "bad_log_leaf"


BROKEN = {
    "unknown type": (SAMPLES["ingest"], '"liuhen.log.ingest"', '"liuhen.log.other"'),
    "later version": (SAMPLES["ingest"], '"version":1', '"version":2'),
    "version true": (SAMPLES["ingest"], '"version":1', '"version":true'),
    "unknown field": (SAMPLES["ingest"], '"role"', '"extra":1,"role"'),
    "missing field": (SAMPLES["ingest"], '"device_id":"dock-sjz-01",', ""),
    "duplicate key": (SAMPLES["ingest"], '"role":"original"', '"role":"original","role":"proxy"'),
    "unknown role": (SAMPLES["ingest"], '"role":"original"', '"role":"copy"'),
    "unknown action": (SAMPLES["access"], '"stream"', '"peek"'),
    "unknown person role": (SAMPLES["access"], '"custodian"', '"janitor"'),
    "no purpose": (SAMPLES["access"], '"复核执法过程"', '"  "'),
    "nothing reached": (SAMPLES["case export"], '"case":"A2026-001"', '"case":null'),
    "bad evidence id": (SAMPLES["access"], str(EVIDENCE), str(EVIDENCE).upper()),
    "ok with a failure": (SAMPLES["fixity"], '"ok":false', '"ok":true'),
    "failed without a failure": (SAMPLES["fixity ok"], '"ok":true', '"ok":false'),
    "chunk without chunks": (SAMPLES["fixity"], '"step":"chunks"', '"step":"sha256"'),
    "unknown step": (SAMPLES["fixity"], '"step":"chunks"', '"step":"guess"'),
    "negative chunk": (SAMPLES["fixity"], '"chunk":3', '"chunk":-3'),
    "exemption of no act": (SAMPLES["decision"], '"act_id":7', '"act_id":null'),
    "exemption without a reason": (SAMPLES["decision"], '"reason":"设备故障"', '"reason":null'),
    "act id zero": (SAMPLES["decision"], '"act_id":7', '"act_id":0'),
    "received without provenance": (
        SAMPLES["custody"],
        '"provenance":{',
        '"provenance":null,"x":{',
    ),
    "object without digest": (SAMPLES["custody"], f',"sha256":"{DIGEST.hex}"', ""),
    "time without zone": (SAMPLES["custody"], "01:30:05Z", "01:30:05"),
    "hold on nothing": (SAMPLES["hold set"], '"case":"A2026-001"', '"case":null'),
    "hold on both": (SAMPLES["hold lifted"], '"case":null', '"case":"A2026-001"'),
    "hold without a reason": (SAMPLES["hold set"], '"reason":"行政复议"', '"reason":" "'),
    "lift of no hold": (SAMPLES["hold lifted"], '"hold_id":3', '"hold_id":null'),
    "set naming a hold": (SAMPLES["hold set"], '"hold_id":null', '"hold_id":3'),
    "unknown hold change": (SAMPLES["hold set"], '"change":"set"', '"change":"paused"'),
}


@pytest.mark.parametrize(("leaf", "old", "new"), BROKEN.values(), ids=BROKEN.keys())
def test_leaves_that_break_their_record_are_refused(leaf, old, new):
    with pytest.raises(MalformedLogLeaf) as caught:
        parse_leaf(spelled(leaf, old, new))
    assert caught.value.code == "bad_log_leaf"


def test_leaves_that_are_not_json_objects_are_refused():
    for data in (b"", b"[]", b"\xff", b'{"type":"liuhen.log.ingest"', b"x" * (300 * 1024)):
        with pytest.raises(MalformedLogLeaf):
            parse_leaf(data)


def test_records_refuse_to_be_built_wrong():
    with pytest.raises(MalformedLogLeaf):
        AccessLeaf(CLERK, AccessAction.VIEW, "why", None, (), AT)
    with pytest.raises(MalformedLogLeaf):
        DecisionLeaf(Decision.FLAG_RESOLVED, CHIEF, Subject(flag_id=1), "", None, AT)
    with pytest.raises(MalformedLogLeaf):
        Actor("", ActorRole.ADMIN)
    with pytest.raises(MalformedLogLeaf):
        leaf_bytes(FixityLeaf(ORIGINAL, "a", None, datetime(2026, 1, 1)))


@pytest.mark.parametrize("leaf", SAMPLES.values(), ids=SAMPLES.keys())
def test_no_changed_byte_reads_as_the_same_record(leaf):
    data = leaf_bytes(leaf)
    for n in range(len(data)):
        changed = bytearray(data)
        changed[n] ^= 1
        with contextlib.suppress(MalformedLogLeaf):
            assert parse_leaf(bytes(changed)) != leaf
