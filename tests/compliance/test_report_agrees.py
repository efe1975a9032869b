"""The report and each case's coverage must reach the same verdict for every act, edges of
the tolerance included, so the report counts what a person sees when opening each case:
the report over every act, a case's coverage over that case's acts alone. Both must also
agree with Python alone, measuring each recording's footage, never its device's claims.
On SQLite and on PostgreSQL: the SQL of each is checked against the Python."""

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from evidence.footage_span import FootageSpan
from ingest.compliance.acts import ActDraft, register_act, register_case
from ingest.compliance.assessment import case_coverage
from ingest.compliance.coverage import measure
from ingest.compliance.report import ReportFilters, build_report, measure_report
from ingest.compliance.tally import verdicts
from storage.compliance_records import ExemptionReason
from tests.builders import media_lasting
from tests.compliance.index_rows import insert_original
from tests.index_backends import INDEX_BACKENDS, raw_sql_of, server_index_on

T0 = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
TYPES = ("seizure", "interview_room", "hearing_room", "on_site_inspection")


def recordings_for(rnd, start, end):
    """A few recordings around an act, each as finalize indexes it (``FootageSpan``, as
    ``Manifest.footage`` makes it): tiles with holes near the tolerance, overlaps, points
    (footage whose length could not be probed), some just outside the window; and the ends
    their devices claim, sometimes false: a claim that reaches over a hole or far past the
    footage, one that stops short, an end claimed for footage that was never measured."""
    found, cursor = [], start - timedelta(seconds=rnd.choice((0, 3, 5, 6, 30)))
    while cursor < end and len(found) < 8:
        length = timedelta(seconds=rnd.randint(30, 400), milliseconds=rnd.randint(0, 999))
        hole = rnd.choice((0, 0, 1, 4.999, 5, 5.001, 5.002, 12, -20))
        lie = rnd.choice((0, 0, 0, hole + 30, 600, -20))
        claimed = cursor + length + timedelta(seconds=lie)
        media = None if rnd.random() < 0.05 else media_lasting(length.total_seconds())
        found.append(FootageSpan.of(cursor, max(claimed, cursor), media))
        cursor = cursor + length + timedelta(seconds=hole)
    return found if rnd.random() > 0.1 else []


def ms(moment):
    return round(moment.timestamp() * 1000)


def expected_state(window, spans, tolerance, exempted):
    """The verdict in Python alone: the recordings of the act's case that overlap its window
    by the one overlap rule, on the footage's own spans, never on the claims."""
    a, b = window
    attached = [(s, e) for s, e in spans if (s < b and e > a) or (s == e and a <= s <= b)]
    return measure(window, attached, tolerance * 1000, exempted=exempted).state


@pytest.fixture(params=INDEX_BACKENDS)
def server_index(request):
    return server_index_on(request.param, request)


async def test_the_report_and_each_case_agree_act_by_act(server):
    rnd = random.Random(11)  # noqa: S311 (test data, not secrets)
    ctx = server.ctx
    desk = ctx.services.compliance
    raw = raw_sql_of(ctx.config)
    cases = []
    windows, footage, exempted = {}, defaultdict(list), set()
    for n in range(40):
        number = f"JSZF-2026-{n:04d}"
        cases.append(number)
        await register_case(desk, number, f"第{n % 3}局", None, "test")
        for k in range(rnd.randint(1, 3)):
            start = T0 + timedelta(hours=3 * n + k, seconds=rnd.randint(0, 59))
            end = start + timedelta(minutes=rnd.randint(1, 40))
            act, _ = await register_act(
                desk, ActDraft(number, rnd.choice(TYPES), start, end, officers=("o1",)), "test"
            )
            windows[act.act_id] = (number, (ms(start), ms(end)))
            for span in recordings_for(rnd, start, end):
                insert_original(
                    raw,
                    case_number=number,
                    start=span.started_at,
                    end=span.ended_at,
                    claimed_end=span.claimed_ended_at,
                )
                footage[number].append((ms(span.started_at), ms(span.ended_at or span.started_at)))
            if rnd.random() < 0.1 and act.values.act_type != "on_site_inspection":
                exempted.add(act.act_id)
                await server.ctx.index.compliance.exemptions.add(
                    act.act_id, ExemptionReason.EMERGENCY, "局长", T0, None, "test", T0
                )
    raw.close()

    # Each act's verdict as the report reaches it: its own query, measured by ``verdicts``.
    query = (await measure_report(desk, ReportFilters())).query
    rows = await ctx.index.compliance.queries.report(query)
    tolerance = ctx.compliance.gap_tolerance_seconds
    measured = {act.act_id: coverage.state for act, coverage in verdicts(rows, tolerance)}
    for act_id, state in measured.items():
        number, window = windows[act_id]
        expected = expected_state(window, footage[number], tolerance, act_id in exempted)
        assert state is expected, act_id
    seen: Counter[str] = Counter()
    not_ready = set()
    for number in cases:
        coverage = await case_coverage(desk, number)
        for act in coverage["acts"]:
            if act["coverage"] is None:  # as-needed: the report does not count it either
                assert act["act_id"] not in measured
                continue
            seen[act["coverage"]["state"]] += 1
            assert measured[act["act_id"]].value == act["coverage"]["state"], act["act_id"]
        if not coverage["ready_for_review"]:
            not_ready.add(number)
    assert sum(seen.values()) == len(measured), "every act the report counts was compared"
    report = await build_report(desk, ReportFilters())
    assert {state: report["totals"][state] for state in seen} == dict(seen)
    assert {case["case_number"] for case in report["not_ready"]["cases"]} == not_ready
    assert len(seen) == 4, f"every state should occur in this sample: {seen}"
