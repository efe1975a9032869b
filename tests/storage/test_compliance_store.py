"""The compliance tables keep what people stated and decided: cases, act history,
decisions, exemptions and withdrawals cannot be rewritten, even with raw SQL; every act
edit leaves its old and new values behind."""

import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from evidence.case_number import CaseNumber
from evidence.errors import (
    ActConflict,
    AlreadyDecided,
    AlreadyExempted,
    AlreadyWithdrawn,
    CaseConflict,
    CatalogueConflict,
    StaleRevision,
    UnknownAct,
    UnknownCase,
    UnknownExemption,
)
from evidence.identifiers import EvidenceId
from storage.compliance_records import (
    ActValues,
    CaseRecord,
    Decision,
    DecisionRecord,
    ExemptionReason,
    ImportRow,
    Matched,
    ReportQuery,
)
from storage.sqlite import open_sqlite_index
from storage.sqlite.rows import when
from tests.compliance.index_rows import insert_original

NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
CASE = CaseNumber("冀石执罚〔2026〕第0012号")
OTHER = CaseNumber("JSZF-2026-0099")


def case(number=CASE, agency="石家庄市城市管理综合行政执法局", subject="某公司"):
    return CaseRecord(number, agency, subject, "wang", NOW)


def act(number=CASE, minutes=(0, 10), reference=None, **changes):
    values = ActValues(
        case_number=number,
        act_type="seizure",
        started_at=NOW + timedelta(minutes=minutes[0]),
        ended_at=NOW + timedelta(minutes=minutes[1]),
        place="中山东路12号",
        officers=("130102001",),
        devices=("BWC-00042",),
        reference=reference,
    )
    return dataclasses.replace(values, **changes)


@pytest.fixture
async def index(tmp_path, open_index_at):
    opened = await open_index_at(tmp_path / "index.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
def raw(tmp_path, raw_sql_at):
    """The same books outside Liuhen, on either database (tests/index_backends.py)."""
    return raw_sql_at(tmp_path / "index.sqlite3")


@pytest.fixture
async def sqlite_index(tmp_path):
    """For SQLite's upgrade steps (PostgreSQL's schema is created at the current version)."""
    opened = await open_sqlite_index(tmp_path / "index.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
def sqlite_raw(tmp_path):
    database = sqlite3.connect(tmp_path / "index.sqlite3")
    yield database
    database.close()


async def test_a_case_is_registered_once_and_never_under_another_agency(index):
    assert (await index.compliance.cases.add_case(case()))[1] is True
    assert (await index.compliance.cases.add_case(case()))[1] is False
    with pytest.raises(CaseConflict, match="is registered to") as caught:
        await index.compliance.cases.add_case(case(agency="另一个局"))
    assert caught.value.details["field"] == "agency"


async def test_an_act_needs_its_case_and_is_registered_once(index):
    cases = index.compliance.cases
    with pytest.raises(UnknownCase, match="register it first"):
        await cases.add_act(act(), "wang", NOW)
    await cases.add_case(case())
    first, new = await cases.add_act(act(), "wang", NOW)
    assert new and first.revision == 1
    again, new = await cases.add_act(act(), "li", NOW)
    assert not new and again.act_id == first.act_id, "the same type and times: the same act"
    with pytest.raises(ActConflict, match="is held with other values"):
        await cases.add_act(act(place="别处"), "li", NOW)
    await cases.add_act(act(reference="A-1"), "wang", NOW)
    with pytest.raises(ActConflict, match="is held with other values"):
        await cases.add_act(act(reference="A-1", minutes=(20, 30)), "wang", NOW)


async def test_every_edit_is_in_the_history_with_who_when_old_and_new(index):
    cases = index.compliance.cases
    await cases.add_case(case())
    record, _ = await cases.add_act(act(), "wang", NOW)
    later = NOW + timedelta(days=2)
    edited = await cases.edit_act(
        record.act_id, 1, act(minutes=(0, 25)), "li", "the clerk typed 10 for 25", later
    )
    assert edited.revision == 2 and edited.updated_by == "li"
    # the same edit replayed
    with pytest.raises(StaleRevision, match="is at revision 2, not 1") as caught:
        await cases.edit_act(record.act_id, 1, act(minutes=(0, 25)), "li", None, later)
    assert caught.value.details == {"revision": 2}
    with pytest.raises(UnknownAct, match="no act 999"):
        await cases.edit_act(999, 1, act(), "li", None, later)
    registration, edit = await cases.history(record.act_id)
    assert registration.old is None and registration.changed_by == "wang"
    assert (edit.changed_by, edit.changed_at, edit.reason) == (
        "li",
        later,
        "the clerk typed 10 for 25",
    )
    assert edit.old["ended_at"] == when(NOW + timedelta(minutes=10))
    assert edit.new["ended_at"] == when(NOW + timedelta(minutes=25))
    assert edit.new["officers"] == ["130102001"]


async def test_raw_sql_cannot_rewrite_history_or_remove_an_act(index, raw):
    await index.compliance.cases.add_case(case())
    record, _ = await index.compliance.cases.add_act(act(), "wang", NOW)
    later = when(NOW + timedelta(hours=1))
    for statement, values in [
        ("UPDATE acts SET place = 'x'", ()),  # an edit that hides itself
        # an edit that would be credited to wang, who registered the act: the revision is
        # raised, but updated_at (and so who and when) is the previous edit's
        ("UPDATE acts SET place = 'x', revision = revision + 1", ()),
        ("UPDATE acts SET place = 'x', revision = revision + 1, updated_by = 'mallory'", ()),
        ("UPDATE acts SET place = 'x', revision = revision + 1, updated_at = ?", (when(NOW),)),
        (
            "UPDATE acts SET place = 'x', revision = revision + 1, updated_by = 'mallory', "
            "updated_at = ?",
            (when(NOW - timedelta(days=1)),),
        ),
    ]:
        with pytest.raises(sqlite3.IntegrityError, match="revision"):
            raw.execute(statement, values)
    assert len(await index.compliance.cases.history(record.act_id)) == 1
    raw.execute(
        "UPDATE acts SET place = 'x', revision = revision + 1, updated_by = 'mallory', "
        "updated_at = ? WHERE act_id = ?",
        (later, record.act_id),
    )
    raw.execute(  # the same editor again, later: updated_by need not change
        "UPDATE acts SET place = 'y', revision = revision + 1, updated_at = ? WHERE act_id = ?",
        (when(NOW + timedelta(hours=2)), record.act_id),
    )
    raw.commit()
    history = await index.compliance.cases.history(record.act_id)
    assert [(h.revision, h.changed_by, h.new["place"]) for h in history] == [
        (1, "wang", "中山东路12号"),
        (2, "mallory", "x"),
        (3, "mallory", "y"),
    ]
    assert history[1].changed_at == NOW + timedelta(hours=1)
    for statement, message in [
        ("DELETE FROM acts", "never deleted"),
        ("UPDATE act_history SET changed_by = 'nobody'", "append-only"),
        ("DELETE FROM act_history", "append-only"),
        ("UPDATE cases SET agency = 'x'", "append-only"),
        ("DELETE FROM cases", "append-only"),
    ]:
        with pytest.raises(sqlite3.IntegrityError, match=message):
            raw.execute(statement)


async def test_decisions_are_final(index, raw):
    await index.compliance.cases.add_case(case())
    record, _ = await index.compliance.cases.add_act(act(), "wang", NOW)
    evidence_id = EvidenceId.new()
    decision = DecisionRecord(evidence_id, record.act_id, Decision.REJECTED, "li", NOW, None)
    await index.compliance.decisions.decide(decision)
    with pytest.raises(AlreadyDecided, match="was rejected by li"):
        await index.compliance.decisions.decide(
            dataclasses.replace(decision, decision=Decision.CONFIRMED)
        )
    with pytest.raises(UnknownAct, match="no act 999"):
        await index.compliance.decisions.decide(dataclasses.replace(decision, act_id=999))
    assert await index.compliance.decisions.of_act(record.act_id) == [decision]
    for statement in ("UPDATE decisions SET decision = 'confirmed'", "DELETE FROM decisions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)


async def test_an_exemption_is_withdrawn_by_a_new_row_never_by_a_delete(index, raw):
    await index.compliance.cases.add_case(case())
    record, _ = await index.compliance.cases.add_act(act(), "wang", NOW)
    exemptions = index.compliance.exemptions
    first = await exemptions.add(
        record.act_id, ExemptionReason.EMERGENCY, "张局长", NOW, None, "li", NOW
    )
    with pytest.raises(AlreadyExempted, match="is exempted already"):
        await exemptions.add(record.act_id, ExemptionReason.PRIVACY, "张局长", NOW, None, "li", NOW)
    withdrawn = await exemptions.withdraw(first.exemption_id, "footage found", "zhao", NOW)
    assert not withdrawn.standing and withdrawn.withdrawal.withdrawn_by == "zhao"
    with pytest.raises(AlreadyWithdrawn, match="was withdrawn by zhao"):
        await exemptions.withdraw(first.exemption_id, "again", "zhao", NOW)
    with pytest.raises(UnknownExemption, match="no exemption 999"):
        await exemptions.withdraw(999, "no such", "zhao", NOW)
    second = await exemptions.add(
        record.act_id, ExemptionReason.PRIVACY, "张局长", NOW, "未成年人", "li", NOW
    )
    assert [e.exemption_id for e in await exemptions.of_acts([record.act_id])] == [
        second.exemption_id,
        first.exemption_id,
    ]
    for statement in (
        "UPDATE exemptions SET reason = 'privacy'",
        "DELETE FROM exemptions",
        "UPDATE exemption_withdrawals SET reason = 'x'",
        "DELETE FROM exemption_withdrawals",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)


async def test_the_exemptions_of_many_acts_come_in_one_list_by_act_newest_first(index):
    cases, exemptions = index.compliance.cases, index.compliance.exemptions
    await cases.add_case(case())
    acts = [(await cases.add_act(act(minutes=(m, m + 5)), "wang", NOW))[0] for m in (0, 10, 20)]
    first, second, bare = (a.act_id for a in acts)
    older = await exemptions.add(second, ExemptionReason.EMERGENCY, "张局长", NOW, None, "li", NOW)
    await exemptions.withdraw(older.exemption_id, "footage found", "zhao", NOW)
    newer = await exemptions.add(second, ExemptionReason.PRIVACY, "张局长", NOW, None, "li", NOW)
    only = await exemptions.add(first, ExemptionReason.PRIVACY, "张局长", NOW, None, "li", NOW)
    found = await exemptions.of_acts([second, bare, first])
    assert [(e.act_id, e.exemption_id) for e in found] == [
        (first, only.exemption_id),
        (second, newer.exemption_id),
        (second, older.exemption_id),
    ]
    assert await exemptions.of_acts([bare]) == await exemptions.of_acts([]) == []


async def test_an_exemption_stands_only_while_the_act_is_at_its_revision(index, raw):
    cases, exemptions = index.compliance.cases, index.compliance.exemptions
    await cases.add_case(case())
    record, _ = await cases.add_act(act(), "wang", NOW)
    first = await exemptions.add(
        record.act_id, ExemptionReason.EMERGENCY, "张局长", NOW, None, "zhao", NOW
    )
    assert (first.act_revision, first.standing) == (1, True)
    query = ReportQuery(("seizure",), 480)
    assert [a.exempted for a in (await index.compliance.queries.report(query)).acts] == [True]
    later = NOW + timedelta(hours=1)
    await cases.edit_act(record.act_id, 1, act(minutes=(0, 5)), "zhao", "录入错误", later)
    [lapsed] = await exemptions.of_acts([record.act_id])
    assert (lapsed.lapsed, lapsed.standing, lapsed.withdrawal) == (True, False, None)
    assert [a.exempted for a in (await index.compliance.queries.report(query)).acts] == [False]
    # The edited act may be exempted anew; that one stands for revision 2.
    second = await exemptions.add(
        record.act_id, ExemptionReason.EMERGENCY, "张局长", later, None, "zhao", later
    )
    assert (second.act_revision, second.standing) == (2, True)
    with pytest.raises(AlreadyExempted, match="is exempted already"):
        await exemptions.add(record.act_id, ExemptionReason.PRIVACY, "x", later, None, "z", later)
    assert [a.exempted for a in (await index.compliance.queries.report(query)).acts] == [True]
    withdrawn = await exemptions.withdraw(first.exemption_id, "superseded", "zhao", later)
    assert withdrawn.lapsed and withdrawn.withdrawal is not None


async def test_exemptions_from_before_act_revision_get_it_from_the_history(
    sqlite_index, sqlite_raw, tmp_path
):
    index, raw = sqlite_index, sqlite_raw
    cases = index.compliance.cases
    await cases.add_case(case())
    record, _ = await cases.add_act(act(), "wang", NOW)
    later = NOW + timedelta(hours=2)
    await cases.edit_act(record.act_id, 1, act(minutes=(0, 5)), "zhao", None, later)
    await index.close()
    raw.executescript(  # the exemptions table as it was, with one entered before the edit
        "DROP TRIGGER exemptions_append_only_u; DROP TRIGGER exemptions_append_only_d;"
        "DROP TABLE exemptions; CREATE TABLE exemptions (id INTEGER PRIMARY KEY, "
        "act_id INTEGER NOT NULL, reason TEXT NOT NULL, approver TEXT NOT NULL, "
        "approved_at TEXT NOT NULL, note TEXT, recorded_by TEXT NOT NULL, "
        "recorded_at TEXT NOT NULL); PRAGMA user_version = 4;"
    )
    for entered in (NOW + timedelta(hours=1), later + timedelta(hours=1)):
        raw.execute(
            "INSERT INTO exemptions (act_id, reason, approver, approved_at, recorded_by, "
            "recorded_at) VALUES (?, 'emergency', '张局长', ?, 'zhao', ?)",
            (record.act_id, when(entered), when(entered)),
        )
    raw.commit()
    reopened = await open_sqlite_index(tmp_path / "index.sqlite3")
    try:
        newer, older = await reopened.compliance.exemptions.of_acts([record.act_id])
        assert [(e.act_revision, e.standing) for e in (older, newer)] == [(1, False), (2, True)]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("UPDATE exemptions SET act_revision = 2")
    finally:
        await reopened.close()


async def test_a_catalogue_may_not_drop_an_act_type_in_use(index, raw):
    catalogues = index.compliance.catalogues
    assert await catalogues.current() is None
    first = await catalogues.add("csv one", {"seizure"}, "admin", NOW)
    await index.compliance.cases.add_case(case())
    await index.compliance.cases.add_act(act(), "wang", NOW)
    with pytest.raises(CatalogueConflict, match="drops: seizure") as caught:
        await catalogues.add("csv two", {"interview_room"}, "admin", NOW)
    assert caught.value.details == {"act_types": ["seizure"]}
    assert (await catalogues.current()) == first
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM catalogues")


async def test_an_import_is_all_or_nothing_and_names_the_row(index):
    rows = [
        ImportRow(2, case(), act(reference="A-1")),
        ImportRow(3, case(OTHER, agency="另一个局"), act(OTHER, reference="B-1")),
        ImportRow(4, case(OTHER, agency="第三个局"), None),
    ]
    with pytest.raises(CaseConflict, match="is registered to") as caught:
        await index.compliance.cases.import_rows(rows, "wang", NOW)
    assert caught.value.details["row"] == 4
    assert await index.compliance.cases.case(CASE) is None, "nothing of a failed import stays"
    result = await index.compliance.cases.import_rows(rows[:2], "wang", NOW)
    assert (result.cases_added, result.acts_added, result.acts_unchanged) == (2, 2, 0)
    again = await index.compliance.cases.import_rows(rows[:2], "wang", NOW)
    assert (again.cases_added, again.acts_added, again.acts_unchanged) == (0, 0, 2)


async def test_footage_is_attached_by_case_number_and_time_or_suggested_without_one(index, raw):
    await index.compliance.cases.add_case(case())
    seizure, _ = await index.compliance.cases.add_act(act(), "wang", NOW)
    queries = index.compliance.queries
    inside = insert_original(raw, case_number=CASE, start=NOW, end=NOW + timedelta(minutes=4))
    insert_original(  # ends 3 s before the act starts: another act's footage, not this one's
        raw, case_number=CASE, start=NOW - timedelta(minutes=5), end=NOW - timedelta(seconds=3)
    )
    insert_original(raw, case_number=OTHER, start=NOW, end=NOW + timedelta(minutes=4))
    no_case = insert_original(
        raw, case_number=None, start=NOW, end=NOW + timedelta(minutes=9), serial="BWC-00042"
    )
    point = insert_original(raw, case_number=CASE, start=NOW + timedelta(minutes=6), end=None)
    attached = await queries.attached([seizure.act_id])
    assert {f.evidence_id for f in attached} == {inside, point}
    assert {f.matched for f in attached} == {Matched.CASE_NUMBER}
    [suggested] = await queries.candidates([seizure.act_id])
    assert (suggested.evidence_id, suggested.device_serial) == (no_case, "BWC-00042")
    assert await queries.candidates(None) == [suggested]
    await index.compliance.decisions.decide(
        DecisionRecord(no_case, seizure.act_id, Decision.CONFIRMED, "li", NOW, None)
    )
    assert await queries.candidates(None) == []
    attached = await queries.attached([seizure.act_id])
    assert {f.matched for f in attached if f.evidence_id == no_case} == {Matched.CONFIRMED}
    unassigned = await queries.unassigned(100, 0)
    assert len(unassigned) == 2 and all(o.evidence_id not in {inside, no_case} for o in unassigned)
    rows = await queries.report(ReportQuery(("seizure",), 480))
    [reported] = rows.acts
    assert (reported.period, reported.exempted, reported.officers) == (
        "2026-03",
        False,
        ("130102001",),
    )
    assert len(rows.footage[seizure.act_id]) == 3


START, END = NOW, NOW + timedelta(minutes=10)  # the window of act()
MS, S, MIN = timedelta(milliseconds=1), timedelta(seconds=1), timedelta(minutes=1)

# name, recording start, end (None: unknown), overlaps the act
OVERLAP = [
    ("ends 3 s before the act starts", START - 5 * MIN, START - 3 * S, False),
    ("ends as the act starts: touching", START - 5 * MIN, START, False),
    ("overlaps the start by a millisecond", START - 5 * MIN, START + MS, True),
    ("inside", START + MIN, START + 2 * MIN, True),
    ("straddles the whole window", START - MIN, END + MIN, True),
    ("overlaps the end by a millisecond", END - MS, END + MIN, True),
    ("starts as the act ends: touching", END, END + MIN, False),
    ("starts 3 s after the act ends", END + 3 * S, END + MIN, False),
    ("a point inside", START + MIN, None, True),
    ("a point at the start", START, None, True),
    ("a point at the end", END, None, True),
    ("a point a millisecond before", START - MS, None, False),
    ("a point 3 s after", END + 3 * S, None, False),
]


@pytest.mark.parametrize(
    ("start", "end", "overlaps"), [row[1:] for row in OVERLAP], ids=[row[0] for row in OVERLAP]
)
async def test_one_overlap_rule_attaches_suggests_and_leaves_unassigned(
    index, raw, start, end, overlaps
):
    """The same rule, whatever asks: attached by case number, suggested without one,
    attached once confirmed, measured by the report, listed as unassigned otherwise."""
    await index.compliance.cases.add_case(case())
    seizure, _ = await index.compliance.cases.add_act(act(), "wang", NOW)
    queries = index.compliance.queries
    numbered = insert_original(raw, case_number=CASE, start=start, end=end)
    unnumbered = insert_original(raw, case_number=None, start=start, end=end, serial="BWC-00042")
    suggested = [f.evidence_id for f in await queries.candidates([seizure.act_id])]
    assert suggested == ([unnumbered] if overlaps else [])
    await index.compliance.decisions.decide(  # confirmed, whether suggested or not
        DecisionRecord(unnumbered, seizure.act_id, Decision.CONFIRMED, "li", NOW, None)
    )
    attached = {f.evidence_id for f in await queries.attached([seizure.act_id])}
    assert attached == ({numbered, unnumbered} if overlaps else set())
    rows = await queries.report(ReportQuery(("seizure",), 480))
    assert len(rows.footage.get(seizure.act_id, [])) == (2 if overlaps else 0)
    unassigned = {o.evidence_id for o in await queries.unassigned(10, 0)}
    assert unassigned == (set() if overlaps else {numbered, unnumbered})


def ms(moment):
    return round(moment.timestamp() * 1000)


def spans(raw):
    return [
        (EvidenceId(row[0]), *row[1:])
        for row in raw.execute(
            "SELECT evidence_id, case_number, start_ms, end_ms FROM recording_spans "
            "ORDER BY start_ms, end_ms"
        )
    ]


async def test_recording_spans_follow_the_objects_and_catch_up_on_open(
    sqlite_index, sqlite_raw, tmp_path
):
    index, raw = sqlite_index, sqlite_raw
    first = insert_original(raw, case_number=CASE, start=NOW, end=NOW + timedelta(seconds=90))
    assert spans(raw) == [(first, str(CASE), ms(NOW), ms(NOW) + 90_000)]
    raw.execute(  # a review copy of it: not evidence of time, so no span
        "INSERT INTO objects SELECT evidence_id, 'review', device_id, 2, manifest_sha256, sha256, "
        "size, chunk_root, store, locator, case_number, started_at, ended_at, place, officer_id, "
        "file_name, received_at, receipt_body, receipt_signature, claimed_started_at, "
        "claimed_ended_at FROM objects"
    )
    assert len(spans(raw)) == 1
    for statement in ("DELETE FROM recording_spans", "UPDATE recording_spans SET end_ms = 0"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
    # An index from before the trigger: an original indexed without its span …
    raw.execute("DROP TRIGGER recording_span_of_original")
    later = NOW + timedelta(minutes=3)
    point = insert_original(raw, case_number=CASE, start=later, end=None)
    assert len(spans(raw)) == 1
    await index.close()
    # … gets it when the index is next opened, and the trigger is back for the next one.
    reopened = await open_sqlite_index(tmp_path / "index.sqlite3")
    try:
        assert spans(raw) == [
            (first, str(CASE), ms(NOW), ms(NOW) + 90_000),
            (point, str(CASE), ms(later), ms(later)),  # no end: a point
        ]
        third = insert_original(raw, case_number=None, start=NOW, end=later)
        assert (third, None, ms(NOW), ms(later)) in spans(raw)
        await reopened.compliance.cases.add_case(case())
        seizure, _ = await reopened.compliance.cases.add_act(act(), "wang", NOW)
        attached = await reopened.compliance.queries.attached([seizure.act_id])
        assert {f.evidence_id for f in attached} == {first, point}, "caught-up spans attach"
    finally:
        await reopened.close()


async def test_spans_keyed_by_rowid_are_rebuilt_by_evidence_id(sqlite_index, sqlite_raw, tmp_path):
    index, raw = sqlite_index, sqlite_raw
    """An index made before spans were keyed by evidence id (objects.rowid, which VACUUM may
    renumber) is migrated at open: the derived table is made again from the objects."""
    await index.close()
    raw.executescript(
        "DROP TRIGGER recording_span_of_original; DROP TABLE recording_spans;"
        "CREATE TABLE recording_spans (object_rowid INTEGER PRIMARY KEY, case_number TEXT, "
        "start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL);"
        "CREATE TRIGGER recording_span_of_original AFTER INSERT ON objects "
        "WHEN NEW.role = 'original' BEGIN INSERT INTO recording_spans VALUES "
        "(NEW.rowid, NEW.case_number, 0, 0); END;"
        "PRAGMA user_version = 0;"
    )
    old = insert_original(raw, case_number=CASE, start=NOW, end=NOW + timedelta(seconds=30))
    raw.execute("VACUUM")
    reopened = await open_sqlite_index(tmp_path / "index.sqlite3")
    try:
        assert spans(raw) == [(old, str(CASE), ms(NOW), ms(NOW) + 30_000)]
        assert raw.execute("PRAGMA user_version").fetchone()[0] >= 1
        new = insert_original(raw, case_number=OTHER, start=NOW, end=None)
        assert (new, str(OTHER), ms(NOW), ms(NOW)) in spans(raw)
    finally:
        await reopened.close()


async def test_an_index_with_the_old_revision_trigger_gets_the_new_one(
    sqlite_index, sqlite_raw, tmp_path
):
    index, raw = sqlite_index, sqlite_raw
    await index.compliance.cases.add_case(case())
    await index.compliance.cases.add_act(act(), "wang", NOW)
    await index.close()
    raw.executescript(
        "DROP TRIGGER act_edit_is_a_revision;"
        "CREATE TRIGGER act_edit_is_a_revision BEFORE UPDATE ON acts "
        "WHEN NEW.revision IS NOT OLD.revision + 1 "
        "BEGIN SELECT RAISE(ABORT, 'an act edit raises its revision by one'); END;"
        "PRAGMA user_version = 1;"
    )
    reopened = await open_sqlite_index(tmp_path / "index.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="updated_at"):
            raw.execute("UPDATE acts SET place = 'x', revision = revision + 1")
    finally:
        await reopened.close()
