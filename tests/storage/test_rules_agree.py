"""What the index computes in SQL for speed must equal the reference rules in Python, on
random worlds stored through its public interface: which recordings attach to which act,
which are suggested and which are unassigned (``ingest/compliance/attaching.py``); each
recording's span on the station's clock (``evidence/footage_span.py``); when two
statements are the same act, when an exemption stands, which acts a report selects and
under which month (``ingest/compliance/act_rules.py``); and so each act's verdict
(``ingest/compliance/coverage.py``), the weak links' counts, and which flags and late
uploads the report counts under its filters.

Each test takes ``backend_index`` (tests/storage/conftest.py), so it runs on every index
backend. The examples share one index: each world lies in its own month and its own
cases, and every answer is read for that world's acts and recordings alone. Bounded for
CI by ``LIUHEN_RULES_EXAMPLES`` (default 25 per test)."""

from __future__ import annotations

import itertools
import os
from collections import Counter
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, event, given, settings

from ingest.compliance import attaching
from ingest.compliance.act_matching import fits
from ingest.compliance.act_rules import exemption_stands, flag_selected, period, selected
from ingest.compliance.coverage import measure
from ingest.compliance.tally import verdicts
from storage.compliance_records import ReportQuery
from storage.interfaces import Index
from tests.storage.rules_loading import load
from tests.storage.rules_world import (
    AGENCIES,
    DOCKS,
    TYPES,
    ActSpec,
    Filters,
    Ledger,
    RecordingSpec,
    World,
    filters,
    worlds,
)

EXAMPLES = int(os.environ.get("LIUHEN_RULES_EXAMPLES", "25"))
RULES = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # One index for every example, on purpose: opening one per example would cost more
    # than the example. The worlds do not meet (see the module's docstring).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_months = itertools.count()
TOLERANCE_MS = 5000


def base_time() -> datetime:
    """A world's start: three minutes before a month begins in UTC+8, a month apart."""
    k = next(_months)
    month = datetime(2030 + k // 12, k % 12 + 1, 1, tzinfo=timezone(timedelta(hours=8)))
    return month - timedelta(minutes=3)


def attached_spans(ledger: Ledger, act_id: int) -> list[tuple[str, tuple[int, int], str]]:
    act = ledger.act(act_id)
    found = []
    for recording in ledger.recordings:
        confirmed = act_id in ledger.confirmed(recording.evidence_id)
        if attaching.attached(act, recording, confirmed=confirmed):
            how = "confirmed" if confirmed else "case_number"
            found.append((recording.evidence_id, recording.span, how))
    return found


def standing(ledger: Ledger, act_id: int) -> bool:
    revision = ledger.revision[act_id]
    return any(
        exemption_stands(entered, revision, withdrawn=out)
        for _, act, entered, out in ledger.exemptions
        if act == act_id
    )


@RULES
@given(world=worlds)
async def test_attached_suggested_and_unassigned_agree(backend_index: Index, world: World):
    attached, suggested = await check_attaching(
        backend_index, await load(backend_index, world, base_time())
    )
    event(f"attached: {min(attached, 3)}, suggested: {min(suggested, 3)}")


async def check_attaching(index: Index, ledger: Ledger) -> tuple[int, int]:
    """How many recordings were attached and suggested, all of them as the rules say."""
    queries = index.compliance.queries
    ids = sorted(ledger.acts)
    got = Counter(
        (f.act_id, str(f.evidence_id), f.matched.value) for f in await queries.attached(ids)
    )
    expected = Counter(
        (act_id, evidence_id, how)
        for act_id in ids
        for evidence_id, _, how in attached_spans(ledger, act_id)
    )
    assert got == expected
    suggested = {
        (f.act_id, str(f.evidence_id), fits(ledger.acts[f.act_id], f))
        for f in await queries.candidates(ids)
        if fits(ledger.acts[f.act_id], f)
    }
    assert suggested == {
        (act_id, r.evidence_id, ties)
        for act_id in ids
        for r in ledger.recordings
        if (ties := _suggested(ledger, act_id, r))
    }
    mine = {r.evidence_id for r in ledger.recordings}
    listed = {str(o.evidence_id) for o in await queries.unassigned(1_000_000, 0)} & mine
    acts = [ledger.act(act_id) for act_id in ids]
    assert listed == {
        r.evidence_id
        for r in ledger.recordings
        if attaching.unassigned(r, acts, ledger.confirmed(r.evidence_id))
    }
    return sum(expected.values()), len(suggested)


def _suggested(ledger: Ledger, act_id: int, recording: attaching.Recording) -> tuple[str, ...]:
    decided = (recording.evidence_id, act_id) in ledger.decisions
    return attaching.suggested(ledger.act(act_id), recording, decided=decided)


def query_of(chosen: Filters, base: datetime, ledger: Ledger) -> ReportQuery:
    return ReportQuery(
        chosen.act_types,
        chosen.utc_offset_minutes,
        chosen.agency,
        chosen.act_type,
        chosen.officer,
        None if chosen.since is None else base + chosen.since,
        None if chosen.until is None else base + chosen.until,
        tuple(sorted(ledger.acts)),
    )


@RULES
@given(world=worlds, chosen=filters)
async def test_the_report_rows_and_verdicts_agree(
    backend_index: Index, world: World, chosen: Filters
):
    base = base_time()
    ledger = await load(backend_index, world, base)
    query = query_of(chosen, base, ledger)
    rows = await backend_index.compliance.queries.report(query)
    agency = ledger.agency
    picked = {
        i for i, v in ledger.acts.items() if selected(query, i, v, agency[str(v.case_number)])
    }
    assert {act.act_id for act in rows.acts} == picked
    footage = rows.footage
    for act, coverage in verdicts(rows, TOLERANCE_MS / 1000):
        values, reference = ledger.acts[act.act_id], ledger.act(act.act_id)
        assert (act.started, act.ended) == reference.window
        assert act.period == period(values.started_at, query.utc_offset_minutes)
        assert (act.agency, act.revision) == (
            agency[reference.case_number],
            ledger.revision[act.act_id],
        )
        assert act.exempted is standing(ledger, act.act_id)
        spans = sorted(span for _, span, _ in attached_spans(ledger, act.act_id))
        assert sorted(footage.get(act.act_id, [])) == spans
        assert coverage == measure(reference.window, spans, TOLERANCE_MS, exempted=act.exempted)
        event(f"verdict: {coverage.state}")


@RULES
@given(world=worlds, chosen=filters)
async def test_exemptions_and_weak_links_agree(backend_index: Index, world: World, chosen: Filters):
    base = base_time()
    ledger = await load(backend_index, world, base)
    query = query_of(chosen, base, ledger)
    compliance = backend_index.compliance
    held = await compliance.exemptions.of_acts(sorted(ledger.acts))
    assert {(e.exemption_id, e.standing) for e in held} == {
        (i, exemption_stands(entered, ledger.revision[act], withdrawn=out))
        for i, act, entered, out in ledger.exemptions
    }
    picked = [
        i
        for i, v in ledger.acts.items()
        if selected(query, i, v, ledger.agency[str(v.case_number)])
    ]
    standing_ones = sum(standing(ledger, i) for i in picked)
    event(f"standing exemptions: {min(standing_ones, 2)}, held: {min(len(held), 3)}")
    counted = await compliance.weak_links.exemptions(query)
    assert {(r, a): n for r, a, n in counted} == (
        {("emergency", "局长"): standing_ones} if standing_ones else {}
    )
    kinds: Counter[str] = Counter(ledger.acts[i].act_type for i in picked)
    with_footage: Counter[str] = Counter(
        ledger.acts[i].act_type for i in picked if attached_spans(ledger, i)
    )
    assert await compliance.weak_links.as_needed(query) == [
        (kind, kinds[kind], with_footage[kind]) for kind in sorted(kinds)
    ]


def flag_counted(query: ReportQuery, ledger: Ledger, evidence_id: str | None) -> bool:
    if evidence_id is None:
        return flag_selected(query, stored=False)
    [recording] = [r for r in ledger.recordings if r.evidence_id == evidence_id]
    case = recording.case_number
    return flag_selected(
        query,
        stored=True,
        agency=None if case is None else ledger.agency[case],
        officer=recording.officer_id,
        started_at=ledger.started[evidence_id],
    )


@RULES
@given(world=worlds, chosen=filters)
async def test_the_reports_flags_and_late_uploads_agree(
    backend_index: Index, world: World, chosen: Filters
):
    base = base_time()
    ledger = await load(backend_index, world, base)
    query = query_of(chosen, base, ledger)
    compliance, mine = backend_index.compliance, set(ledger.docks.values())
    _, listed = await compliance.queries.open_flags(query, 1_000_000)
    assert Counter(
        (f.kind, str(f.device_id), f.evidence_id and str(f.evidence_id))
        for f in listed
        if str(f.device_id) in mine
    ) == Counter(
        (kind, device, evidence_id)
        for kind, device, evidence_id, is_open in ledger.flags
        if is_open and flag_counted(query, ledger, evidence_id)
    )
    late: Counter[tuple[str | None, str, bool]] = Counter()
    for kind, device, evidence_id, is_open in ledger.flags:
        if kind == "late_upload" and evidence_id and flag_counted(query, ledger, evidence_id):
            [officer] = [r.officer_id for r in ledger.recordings if r.evidence_id == evidence_id]
            late[(officer, device, is_open)] += 1
    rows = await compliance.weak_links.late_uploads(query)
    assert {(o, d, is_open): n for o, d, is_open, n in rows if d in mine} == dict(late)
    event(f"flags: {min(len(ledger.flags), 3)}, late counted: {min(sum(late.values()), 2)}")


async def test_half_a_millisecond_rounds_up_in_the_index_as_in_the_rules(backend_index: Index):
    """Times are compared to the millisecond, half a millisecond up, exactly: a point
    captured at .5005 s is at 501 ms, after an act that ends at 500 ms, so not its footage.
    (SQLite's julianday read .5005 s as 500.4999… and rounded it to 500.)"""
    act = ActSpec(0, "seizure", timedelta(milliseconds=500), timedelta(0), (), (), None)
    point = RecordingSpec(0, timedelta(microseconds=500_500), None, 0, DOCKS[0], None, None)
    ledger = await load(backend_index, World(AGENCIES[:2], [act], [point], []), base_time())
    [(_, span, _)] = [(r.evidence_id, r.span, None) for r in ledger.recordings]
    [act_id] = ledger.acts
    assert span[0] == ledger.act(act_id).window[1] + 1
    await check_attaching(backend_index, ledger)
    query = ReportQuery(TYPES, 480, act_ids=(act_id,))
    [row] = (await backend_index.compliance.queries.report(query)).acts
    assert (row.started, row.ended) == ledger.act(act_id).window
    assert (await backend_index.compliance.queries.report(query)).spans == [""]
