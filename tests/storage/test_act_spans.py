"""``act_spans``: each act's fold of its recordings, kept by trigger, must always equal the
fold made afresh from the recordings (storage/sqlite/act_spans.py), through every change
that feeds it, after an upgrade, and the report must not depend on it being kept."""

import random
from datetime import timedelta
from typing import Any

import pytest

from storage.compliance_records import Decision, DecisionRecord, ReportQuery
from storage.sqlite import dialect, open_sqlite_index
from storage.sqlite.act_spans import fold
from storage.sqlite.migrations import STEPS
from tests.compliance.index_rows import insert_original
from tests.storage.test_compliance_store import CASE, NOW, OTHER, act, case

MIN = timedelta(minutes=1)


def _stale(raw: Any) -> list[Any]:
    """Every act whose kept fold is missing, of another revision, or not what folding its
    recordings now gives (in the SQL of ``raw``'s database)."""
    d = dialect.of(raw)
    return raw.execute(
        f"SELECT a.act_id FROM (SELECT act_id, case_number, revision, {d.ms('started_at')} "  # noqa: S608
        f"AS a0, {d.ms('ended_at')} AS b0 FROM acts) a LEFT JOIN act_spans f USING (act_id) "
        f"WHERE f.act_id IS NULL OR f.revision <> a.revision OR f.spans <> {fold('a', d)}"
    ).fetchall()


def _kept(raw: Any) -> dict[int, str]:
    return {row[0]: row[1] for row in raw.execute("SELECT act_id, spans FROM act_spans")}


@pytest.fixture
async def index(tmp_path, open_index_at):
    opened = await open_index_at(tmp_path / "index.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
def raw(tmp_path, raw_sql_at):
    """The same books outside Liuhen, on either database (tests/index_backends.py)."""
    return raw_sql_at(tmp_path / "index.sqlite3")


@pytest.mark.parametrize("seed", range(3))
async def test_the_kept_fold_follows_recordings_decisions_and_edits(index, raw, seed):
    rng = random.Random(seed)  # noqa: S311 (test data)
    cases = index.compliance.cases
    for number in (CASE, OTHER):
        await cases.add_case(case(number))
    acts = []
    for step in range(40):
        minute = rng.randrange(0, 120)
        number = rng.choice((CASE, OTHER, None))
        choice = rng.random()
        if choice < 0.15 or not acts:  # an act registered, before or after its footage
            start = rng.randrange(0, 100)
            values = act(rng.choice((CASE, OTHER)), (start, start + rng.randrange(0, 30)))
            record, _ = await cases.add_act(values, "wang", NOW)
            acts.append(record)
        elif choice < 0.25:  # an act edited: its window, and sometimes its case
            i = rng.randrange(len(acts))
            start = rng.randrange(0, 100)
            values = act(rng.choice((CASE, OTHER)), (start, start + rng.randrange(1, 30)))
            edited = await cases.edit_act(
                acts[i].act_id, acts[i].revision, values, "zhao", "moved", NOW + step * MIN
            )
            acts[i] = edited
        elif choice < 0.35:  # a recording without a case number, confirmed for an act
            evidence = insert_original(
                raw, case_number=None, start=NOW + minute * MIN, end=NOW + (minute + 9) * MIN
            )
            chosen = rng.choice(acts)
            await index.compliance.decisions.decide(
                DecisionRecord(evidence, chosen.act_id, Decision.CONFIRMED, "li", NOW, None)
            )
        else:  # a recording lands: inside, across or outside some window, or a point
            end = None if rng.random() < 0.1 else NOW + (minute + rng.randrange(0, 12)) * MIN
            insert_original(raw, case_number=number, start=NOW + minute * MIN, end=end)
        assert _stale(raw) == [], f"step {step}"
    assert len(_kept(raw)) == len(acts)
    assert any(_kept(raw).values()), "some act has footage"


@pytest.mark.parametrize("index_backend", ["sqlite"])  # SQLite's upgrade steps
async def test_an_upgraded_index_folds_every_act_once_and_flags_nothing(index, raw, tmp_path):
    cases = index.compliance.cases
    await cases.add_case(case())
    first, _ = await cases.add_act(act(minutes=(0, 10)), "wang", NOW)
    second, _ = await cases.add_act(act(minutes=(20, 30)), "wang", NOW)
    insert_original(raw, case_number=CASE, start=NOW + MIN, end=NOW + 9 * MIN)
    insert_original(raw, case_number=CASE, start=NOW + 25 * MIN, end=None)
    before = _kept(raw)
    await index.close()
    raw.executescript(  # the index as the step before this one left it: no act_spans
        "DROP TRIGGER act_spans_of_registered_act; DROP TRIGGER act_spans_of_edited_act;"
        "DROP TRIGGER act_spans_of_confirmed_recording; DROP TRIGGER act_spans_of_landed_recording;"
        f"DROP TABLE act_spans; PRAGMA user_version = {len(STEPS) - 1};"
    )
    reopened = await open_sqlite_index(tmp_path / "index.sqlite3")
    try:
        assert (
            _kept(raw) == before == {first.act_id: "60000,540000", second.act_id: "300000,300000"}
        )
        assert _stale(raw) == []
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(STEPS)
        assert raw.execute("SELECT COUNT(*) FROM flags").fetchone()[0] == 0, "no trigger missing"
    finally:
        await reopened.close()


async def test_the_report_folds_afresh_an_act_whose_kept_fold_is_gone_or_stale(index, raw):
    cases = index.compliance.cases
    await cases.add_case(case())
    record, _ = await cases.add_act(act(minutes=(0, 10)), "wang", NOW)
    insert_original(raw, case_number=CASE, start=NOW + MIN, end=NOW + 9 * MIN)
    query = ReportQuery(("seizure",), 480)
    kept = (await index.compliance.queries.report(query)).spans
    assert kept == ["60000,540000"]
    raw.execute("UPDATE act_spans SET revision = 7")  # as if an edit's refold were missed
    raw.commit()
    assert (await index.compliance.queries.report(query)).spans == kept
    raw.execute("DELETE FROM act_spans")
    raw.commit()
    assert (await index.compliance.queries.report(query)).spans == kept
    assert record.act_id not in _kept(raw)
