"""Legal holds in the index: each set and lift kept once with its custody log entry,
append-only even against raw SQL; and what the retention report reads per recording."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from evidence.case_number import CaseNumber
from evidence.identifiers import EvidenceId
from evidence.tlog.leaf_holds import HoldChange, HoldLeaf
from evidence.tlog.leaf_parts import Actor, ActorRole
from evidence.tlog.leaves import leaf_bytes, parse_leaf
from storage.compliance_records import CaseRecord, Decision, DecisionRecord
from storage.hold_records import NewHold
from tests.compliance.index_rows import insert_original
from tests.storage.test_compliance_store import act

NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
CASE = "冀石执罚〔2026〕第0012号"
CHIEF = Actor("chief", ActorRole.SUPERVISOR)


def leaf(change, case=None, evidence_id=None, hold_id=None, reason="行政复议"):
    return leaf_bytes(HoldLeaf(change, case, evidence_id, hold_id, CHIEF, reason, NOW))


def new(case=None, evidence_id=None, reason="行政复议"):
    return NewHold(case, evidence_id, reason, "chief", "supervisor", NOW)


@pytest.fixture
async def index(tmp_path, open_index_at):
    opened = await open_index_at(tmp_path / "index.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
def raw(tmp_path, raw_sql_at):
    """The same books outside Liuhen (on PostgreSQL as its superuser, whom only the
    triggers stop): tests/index_backends.py."""
    return raw_sql_at(tmp_path / "index.sqlite3")


async def test_a_hold_is_set_lifted_once_and_logged_each_time(index):
    held = await index.holds.set(new(case=CASE), leaf=leaf(HoldChange.SET, case=CASE))
    assert (held.case_number, held.evidence_id, held.standing) == (CASE, None, True)
    lifted, changed = await index.holds.lift(
        held.hold_id,
        new(case=CASE, reason="复议终结"),
        leaf=leaf(HoldChange.LIFTED, case=CASE, hold_id=held.hold_id, reason="复议终结"),
    )
    assert changed and not lifted.standing and lifted.lift.reason == "复议终结"
    again, changed = await index.holds.lift(
        held.hold_id,
        new(case=CASE, reason="再次"),
        leaf=leaf(HoldChange.LIFTED, case=CASE, hold_id=held.hold_id, reason="再次"),
    )
    assert not changed and again.lift.reason == "复议终结"
    assert await index.holds.lift(99, new(case=CASE), leaf=b"{}") is None
    entries = await index.log.leaves(0, 10)
    assert (held.log_index, lifted.lift.log_index) == (0, 1)
    assert [parse_leaf(e.body).change for e in entries] == [HoldChange.SET, HoldChange.LIFTED]
    assert await index.holds.find(CASE, None, True, 10, 0) == []
    assert await index.holds.find(CASE, None, False, 10, 0) == [again]


async def test_holds_cannot_be_rewritten_or_removed_with_raw_sql(index, raw):
    held = await index.holds.set(new(case=CASE), leaf=leaf(HoldChange.SET, case=CASE))
    await index.holds.lift(
        held.hold_id, new(case=CASE), leaf=leaf(HoldChange.LIFTED, case=CASE, hold_id=1)
    )
    for sql in (
        "UPDATE holds SET reason = 'x'",
        "DELETE FROM holds",
        "UPDATE hold_lifts SET reason = 'x'",
        "DELETE FROM hold_lifts",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(sql)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        raw.execute(
            "INSERT INTO holds (case_number, evidence_id, reason, set_by, set_role, set_at, "
            "leaf_idx) VALUES (NULL, NULL, 'r', 'a', 'admin', 't', 0)"
        )


async def test_keeping_reads_cases_acts_holds_and_objects_per_recording(index, raw):
    carried = insert_original(raw, case_number=CASE, start=NOW, end=NOW + timedelta(minutes=5))
    loose = insert_original(raw, case_number=None, start=NOW, end=NOW + timedelta(minutes=9))
    cases = index.compliance.cases
    await cases.add_case(CaseRecord(CaseNumber("JSZF-2026-0099"), "局", None, "wang", NOW))
    registered, _ = await cases.add_act(act(CaseNumber("JSZF-2026-0099")), "wang", NOW)
    await index.compliance.decisions.decide(
        DecisionRecord(loose, registered.act_id, Decision.CONFIRMED, "wang", NOW, None)
    )
    await index.holds.set(new(case=CASE), leaf=leaf(HoldChange.SET, case=CASE))
    on_loose = await index.holds.set(
        new(evidence_id=loose), leaf=leaf(HoldChange.SET, evidence_id=loose)
    )
    found = {k.evidence_id: k for k in await index.holds.keeping(None, 10, 0)}
    assert found[carried].cases == (CASE,) and found[carried].holds == (1,)
    assert found[loose].attached == (("JSZF-2026-0099", "seizure"),)
    assert found[loose].holds == (on_loose.hold_id,)
    assert found[loose].objects == (("original", "local", "x"),)
    assert found[carried].stored_at == NOW + timedelta(minutes=10)
    only = await index.holds.keeping([EvidenceId(str(loose))], 10, 0)
    assert [k.evidence_id for k in only] == [loose]


async def test_keeping_of_a_case_finds_its_carried_and_confirmed_recordings(index, raw):
    carried = insert_original(raw, case_number=CASE, start=NOW, end=NOW + timedelta(minutes=5))
    loose = insert_original(raw, case_number=None, start=NOW, end=NOW + timedelta(minutes=9))
    other = insert_original(raw, case_number=None, start=NOW, end=NOW + timedelta(minutes=9))
    cases = index.compliance.cases
    await cases.add_case(CaseRecord(CaseNumber(CASE), "局", None, "wang", NOW))
    registered, _ = await cases.add_act(act(CaseNumber(CASE)), "wang", NOW)
    await index.compliance.decisions.decide(
        DecisionRecord(loose, registered.act_id, Decision.CONFIRMED, "wang", NOW, None)
    )
    of_case = await index.holds.keeping(None, 10, 0, case_number=CASE)
    assert {k.evidence_id for k in of_case} == {carried, loose}
    assert other not in {k.evidence_id for k in await index.holds.keeping(None, 10, 0, CASE)}
