"""Coverage, exemptions, suggestions and the report, against a real server, with
recordings that went through the real upload path."""

from datetime import timedelta

import pytest

from evidence.digest import Sha256
from evidence.wire import (
    ACT,
    ACT_EXEMPTIONS,
    ACTS,
    COVERAGE,
    EXEMPTION_WITHDRAW,
    REPORT,
    SUGGESTION_CONFIRM,
    SUGGESTION_REJECT,
    SUGGESTIONS,
    UNASSIGNED,
)
from ingest.compliance.config import ComplianceConfig
from tests.builders import CASE
from tests.compliance.helpers import AGENCY, OFFICER, add_act, add_case, at, body, recording
from tests.ingest.helpers import prepared

OTHER_CASE = "JSZF-2026-0099"


def evidence(ready):
    return str(ready.signed.manifest.evidence_id)


async def coverage_of(server, token, case_number=CASE):
    reply = await server.send("GET", COVERAGE + f"?case_number={case_number}", token=token)
    assert reply.status == 200, reply.body
    return reply.json()


def states(coverage):
    return {
        act["act_type"]: None if act["coverage"] is None else act["coverage"]["state"]
        for act in coverage["acts"]
    }


async def exempt(server, token, act_id, reason="emergency"):
    return await server.send(
        "POST",
        ACT_EXEMPTIONS.format(act_id=act_id),
        token=token,
        body=body(
            {
                "reason": reason,
                "approver": "张局长",
                "approved_at": at(0).isoformat(),
                "note": "现场突发火情",
            }
        ),
    )


async def test_every_coverage_state_and_readiness_for_legal_review(server):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 10)
    demolition = await add_act(server, clerk, "forced_demolition", 60, 80)
    interview = await add_act(server, clerk, "interview_room", 120, 150)
    await add_act(server, clerk, "hearing_room", 180, 200)
    inspection = await add_act(server, clerk, "on_site_inspection", 240, 250)
    await recording(server, 0, 5)  # back-to-back files that touch
    await recording(server, 5, 10)
    await recording(server, 60, 70)  # ten minutes of a twenty-minute demolition
    await recording(server, 180, 190, officer="130102002")  # two officers overlap …
    await recording(server, 185, 200, officer="130102003")  # … and cover the hearing

    coverage = await coverage_of(server, clerk)
    assert states(coverage) == {
        "seizure": "covered",
        "forced_demolition": "partial",
        "interview_room": "missing",
        "hearing_room": "covered",
        "on_site_inspection": None,  # as-needed: no coverage duty to measure
    }
    [partial] = [a for a in coverage["acts"] if a["act_id"] == demolition]
    assert partial["coverage"]["gaps"] == [
        {"start": "2026-03-12T02:40:00Z", "end": "2026-03-12T02:50:00Z", "seconds": 600.0}
    ]
    assert partial["coverage"]["advice"]
    assert coverage["ready_for_review"] is False
    assert coverage["blocking_acts"] == [demolition, interview]
    assert coverage["not_ready_reasons"] == [
        f"act {demolition}: partial",
        f"act {interview}: missing",
    ]

    reply = await exempt(server, chief, interview)
    assert reply.status == 201, reply.body
    exemption = reply.json()
    assert (exemption["approver"], exemption["recorded_by"], exemption["standing"]) == (
        "张局长",
        "zhao",
        True,
    )
    assert (await exempt(server, chief, interview)).code == "already_exempted"
    assert (await exempt(server, chief, inspection)).code == "duty_not_full"
    assert (await exempt(server, clerk, demolition)).code == "forbidden"
    coverage = await coverage_of(server, clerk)
    assert states(coverage)["interview_room"] == "exempted"
    assert coverage["blocking_acts"] == [demolition]

    report = (await server.send("GET", REPORT, token=chief)).json()
    assert report["totals"] == {
        "acts": 4,
        "covered": 2,
        "partial": 1,
        "missing": 0,
        "exempted": 1,
        "edited": 0,
        "coverage_rate": round(2 / 3, 4),
    }
    [listed] = report["not_ready"]["cases"]
    assert (listed["case_number"], listed["agency"]) == (CASE, AGENCY)
    [finding] = listed["acts"]
    assert (finding["act_id"], finding["state"], finding["gap_seconds"]) == (
        demolition,
        "partial",
        600.0,
    )
    # The same gaps, in the same shape, as the case's coverage shows them.
    assert finding["gaps"] == partial["coverage"]["gaps"]
    assert finding["advice"] == partial["coverage"]["advice"]
    assert report["by_agency"] == [{"agency": AGENCY, **report["totals"]}]

    # The exemption is withdrawn (footage of the interview may yet turn up): it stays on
    # the record, and the act is missing again.
    withdraw = EXEMPTION_WITHDRAW.format(exemption_id=exemption["exemption_id"])
    refused = await server.send("POST", withdraw, token=clerk, body=body({"reason": "不需要"}))
    assert (refused.status, refused.code) == (403, "forbidden")
    assert states(await coverage_of(server, clerk))["interview_room"] == "exempted"
    reply = await server.send("POST", withdraw, token=chief, body=body({"reason": "录像已找到"}))
    assert reply.status == 200 and reply.json()["withdrawal"]["withdrawn_by"] == "zhao"
    again = await server.send("POST", withdraw, token=chief, body=body({"reason": "again"}))
    assert (again.status, again.code) == (409, "already_withdrawn")
    coverage = await coverage_of(server, clerk)
    assert states(coverage)["interview_room"] == "missing"
    [interview_act] = [a for a in coverage["acts"] if a["act_id"] == interview]
    assert interview_act["exemptions"][0]["standing"] is False
    assert coverage["blocking_acts"] == [demolition, interview]


@pytest.mark.parametrize(
    ("tolerance", "seizure", "gaps"), [(0, "partial", [3.0, 2.0]), (5, "covered", [])]
)
async def test_clock_skew_within_the_tolerance_is_no_gap_and_beyond_it_is(
    server, tolerance, seizure, gaps
):
    await server.reconfigure(compliance=ComplianceConfig(gap_tolerance_seconds=tolerance))
    clerk = await server.add_user()
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 10)
    await add_act(server, clerk, "forced_demolition", 20, 30)
    skewed = await recording(server, 3 / 60, 10 - 2 / 60)  # starts 3 s late, ends 2 s early
    before = await recording(server, 11, 20 - 3 / 60)  # ends 3 s before the demolition
    late = await recording(server, 20 + 8 / 60, 30)  # starts 8 s late
    coverage = await coverage_of(server, clerk)
    assert states(coverage) == {"seizure": seizure, "forced_demolition": "partial"}
    first, second = coverage["acts"]
    assert [gap["seconds"] for gap in first["coverage"]["gaps"]] == gaps
    assert [gap["seconds"] for gap in second["coverage"]["gaps"]] == [8.0]
    assert [r["evidence_id"] for r in first["recordings"]] == [evidence(skewed)]
    # Skew is absorbed when gaps are measured, never by attaching footage outside the act.
    assert [r["evidence_id"] for r in second["recordings"]] == [evidence(late)]
    listed = (await server.send("GET", UNASSIGNED, token=clerk)).json()["recordings"]
    assert [r["evidence_id"] for r in listed] == [evidence(before)]


async def test_an_act_whose_only_nearby_footage_is_the_previous_acts_is_missing(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 10)
    follow_up = await add_act(server, clerk, "forced_demolition", 10 + 3 / 60, 20)
    await recording(server, 0, 10)  # the seizure's file, ending 3 s before the demolition
    await recording(server, 20, 25)  # starts as the demolition ends: touching is not overlap
    coverage = await coverage_of(server, clerk)
    assert states(coverage) == {"seizure": "covered", "forced_demolition": "missing"}
    [demolition] = [act for act in coverage["acts"] if act["act_id"] == follow_up]
    assert demolition["recordings"] == []
    assert demolition["coverage"]["recorded_seconds"] == 0


async def test_an_edit_that_changes_an_acts_coverage_is_marked_for_the_supervisor(server):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    await add_case(server, clerk)
    act_id = await add_act(server, clerk, "seizure", 0, 20)
    await recording(server, 0, 10)  # half the seizure
    [act] = (await coverage_of(server, clerk))["acts"]
    assert (act["coverage"]["state"], act["edited"]) == ("partial", False)
    # The window narrowed to the footage: the custodian may not, a supervisor may …
    narrowed = body({"revision": 1, "changes": {"ended_at": at(10).isoformat()}})
    path = ACT.format(act_id=act_id)
    assert (await server.send("PATCH", path, token=clerk, body=narrowed)).code == "forbidden"
    assert (await server.send("PATCH", path, token=chief, body=narrowed)).status == 200
    # … and the act is covered now, but marked as edited wherever a supervisor looks.
    coverage = await coverage_of(server, clerk)
    [act] = coverage["acts"]
    assert (act["coverage"]["state"], act["edited"], act["revision"]) == ("covered", True, 2)
    assert (coverage["ready_for_review"], coverage["edited_acts"]) == (True, 1)
    report = (await server.send("GET", REPORT, token=chief)).json()
    assert (report["totals"]["covered"], report["totals"]["edited"]) == (1, 1)
    assert report["by_officer"][0]["edited"] == 1
    # Widened again past the footage: partial, and listed as not ready, edited.
    widened = body({"revision": 2, "changes": {"ended_at": at(15).isoformat()}})
    assert (await server.send("PATCH", path, token=chief, body=widened)).status == 200
    report = (await server.send("GET", REPORT, token=chief)).json()
    [finding] = report["not_ready"]["cases"][0]["acts"]
    assert (finding["state"], finding["edited"], finding["revision"]) == ("partial", True, 3)
    assert finding["gaps"] == [
        {"start": "2026-03-12T01:40:00Z", "end": "2026-03-12T01:45:00Z", "seconds": 300.0}
    ]


async def test_an_exemption_stops_standing_when_the_act_is_edited(server):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    await add_case(server, clerk)
    act_id = await add_act(server, clerk, "interview_room", 0, 30)
    exemption = (await exempt(server, chief, act_id)).json()
    assert (exemption["act_revision"], exemption["standing"]) == (1, True)
    assert (await coverage_of(server, clerk))["ready_for_review"] is True
    # The act is edited (it ran longer): the exemption excused the act as it stood.
    edit = body({"revision": 1, "changes": {"ended_at": at(45).isoformat()}, "reason": "延长"})
    edited = await server.send("PATCH", ACT.format(act_id=act_id), token=chief, body=edit)
    assert edited.status == 200, edited.body
    coverage = await coverage_of(server, clerk)
    [act] = coverage["acts"]
    assert act["coverage"]["state"] == "missing"
    assert (coverage["ready_for_review"], coverage["blocking_acts"]) == (False, [act_id])
    [lapsed] = act["exemptions"]
    assert (lapsed["lapsed"], lapsed["standing"], lapsed["withdrawal"]) == (True, False, None)
    report = (await server.send("GET", REPORT, token=chief)).json()
    assert (report["totals"]["exempted"], report["totals"]["missing"]) == (0, 1)
    # A new exemption, for the act as it now stands, may be entered.
    renewed = await exempt(server, chief, act_id)
    assert renewed.status == 201 and renewed.json()["act_revision"] == 2
    assert states(await coverage_of(server, clerk)) == {"interview_room": "exempted"}


async def test_a_case_with_no_act_registered_is_not_ready_for_legal_review(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    coverage = await coverage_of(server, clerk)
    assert (coverage["ready_for_review"], coverage["not_ready_reasons"]) == (False, ["acts: 0"])
    assert coverage["acts"] == [] and coverage["blocking_acts"] == []

    async def not_ready(query=""):
        reply = await server.send("GET", REPORT + query, token=clerk)
        return [
            (c["case_number"], c["not_ready_reasons"]) for c in reply.json()["not_ready"]["cases"]
        ]

    assert await not_ready() == [(CASE, ["acts: 0"])]
    assert await not_ready(f"?agency={AGENCY}") == [(CASE, ["acts: 0"])]
    assert await not_ready("?agency=长安区应急管理局") == []
    assert await not_ready("?since=2026-03-01") == [], "act filters select acts; it has none"
    # Once an act is registered and covered, the case is ready.
    await add_act(server, clerk, "seizure", 0, 10)
    await recording(server, 0, 10)
    coverage = await coverage_of(server, clerk)
    assert (coverage["ready_for_review"], coverage["not_ready_reasons"]) == (True, [])
    assert await not_ready() == []


async def test_a_recording_that_straddles_the_act_window_covers_it(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 10, 20)
    ready = await recording(server, 0, 30)
    [act] = (await coverage_of(server, clerk))["acts"]
    assert act["coverage"]["state"] == "covered"
    assert act["coverage"]["recorded_seconds"] == 600
    assert [r["evidence_id"] for r in act["recordings"]] == [evidence(ready)]


async def test_an_act_with_no_case_number_match_is_missing_and_the_footage_unassigned(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 10)
    elsewhere = await recording(server, 0, 10, case_number=OTHER_CASE)  # same time, other case
    assert states(await coverage_of(server, clerk)) == {"seizure": "missing"}
    listed = (await server.send("GET", UNASSIGNED, token=clerk)).json()["recordings"]
    assert [r["evidence_id"] for r in listed] == [evidence(elsewhere)]


async def test_recordings_without_a_case_number_are_only_suggested_until_a_person_decides(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    by_device = await recording(server, 0, 10, case_number=None, officer=None)
    by_officer = await recording(server, 0, 10, case_number=None, officer="130102007")
    await recording(server, 0, 10, case_number=None, officer="999", serial="BWC-77777")
    act = await add_act(
        server, clerk, "seizure", 0, 10, officers=("130102007",), devices=("BWC-00042",)
    )
    assert states(await coverage_of(server, clerk)) == {"seizure": "missing"}

    reply = await server.send("GET", SUGGESTIONS + f"?case_number={CASE}", token=clerk)
    suggested = {s["evidence_id"]: s["matched_on"] for s in reply.json()["suggestions"]}
    # by_officer carries the builders' camera serial too, so it fits on both counts.
    assert suggested == {
        evidence(by_device): ["device"],
        evidence(by_officer): ["device", "officer"],
    }

    decision = {"evidence_id": evidence(by_device), "act_id": act, "note": "同一执法记录仪"}
    reply = await server.send("POST", SUGGESTION_CONFIRM, token=clerk, body=body(decision))
    assert reply.status == 201 and reply.json()["decision"] == "confirmed"
    replay = await server.send("POST", SUGGESTION_CONFIRM, token=clerk, body=body(decision))
    assert (replay.status, replay.code) == (409, "already_decided")
    flip = await server.send("POST", SUGGESTION_REJECT, token=clerk, body=body(decision))
    assert (flip.status, flip.code) == (409, "already_decided")

    rejected = {"evidence_id": evidence(by_officer), "act_id": act}
    assert (
        await server.send("POST", SUGGESTION_REJECT, token=clerk, body=body(rejected))
    ).status == 201
    unrelated = await server.send(
        "POST",
        SUGGESTION_CONFIRM,
        token=clerk,
        body=body({"evidence_id": evidence(by_officer), "act_id": act + 1}),
    )
    assert (unrelated.status, unrelated.code) == (404, "unknown_act")

    coverage = await coverage_of(server, clerk)
    assert states(coverage) == {"seizure": "covered"}
    assert [(r["evidence_id"], r["matched"]) for r in coverage["acts"][0]["recordings"]] == [
        (evidence(by_device), "confirmed")
    ]
    assert (await server.send("GET", SUGGESTIONS, token=clerk)).json()["suggestions"] == []
    listed = (await server.send("GET", UNASSIGNED, token=clerk)).json()["recordings"]
    assert evidence(by_officer) in [r["evidence_id"] for r in listed], "rejected stays unassigned"
    assert evidence(by_device) not in [r["evidence_id"] for r in listed]

    detail = (await server.send("GET", ACT.format(act_id=act), token=clerk)).json()
    assert [d["decision"] for d in detail["decisions"]] == ["confirmed", "rejected"]


async def test_a_recording_that_is_not_a_suggestion_cannot_be_confirmed(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    act = await add_act(server, clerk, "seizure", 0, 10)
    stranger = await recording(server, 0, 10, case_number=None, officer="999", serial=None)
    reply = await server.send(
        "POST",
        SUGGESTION_CONFIRM,
        token=clerk,
        body=body({"evidence_id": evidence(stranger), "act_id": act}),
    )
    assert (reply.status, reply.code) == (404, "unknown_suggestion")


async def test_the_report_counts_by_agency_type_officer_and_month_with_open_flags(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    await add_case(server, clerk, OTHER_CASE, agency="长安区应急管理局")
    await add_act(server, clerk, "seizure", 0, 10, officers=("A", "B"))
    await add_act(server, clerk, "seizure", 60 * 24 * 30, 60 * 24 * 30 + 10, officers=("A",))
    await add_act(server, clerk, "interview_room", 0, 10, case_number=OTHER_CASE, officers=("B",))
    server.clock.set(at(10) + timedelta(hours=30))  # the footage arrives 30 h after capture
    late = await recording(server, 0, 10)
    await recording(server, 0, 10, case_number="JSZF-2026-0777")  # a case nobody registered
    # A device whose manifests 1 and 2 never arrived: two sequence_gap flags.
    gap = await prepared(server, sequence=3, previous=Sha256.of(b"lost"))
    assert gap.signed.manifest.sequence == 3

    report = (await server.send("GET", REPORT, token=clerk)).json()
    assert report["totals"]["acts"] == 3 and report["totals"]["covered"] == 1
    assert [(r["agency"], r["acts"]) for r in report["by_agency"]] == [
        ("石家庄市城市管理综合行政执法局", 2),
        ("长安区应急管理局", 1),
    ]
    assert [(r["act_type"], r["name"], r["acts"]) for r in report["by_act_type"]] == [
        ("interview_room", "询问室询问", 1),
        ("seizure", "查封扣押财产", 2),
    ]
    assert [(r["officer"], r["acts"]) for r in report["by_officer"]] == [("A", 2), ("B", 2)]
    assert [(r["period"], r["acts"]) for r in report["by_period"]] == [
        ("2026-03", 2),
        ("2026-04", 1),
    ]
    kinds = {row["kind"]: row for row in report["flags"]["by_kind"]}
    assert {kind: row["count"] for kind, row in kinds.items()} == {
        "sequence_gap": 2,
        "late_upload": 2,
    }
    assert "late_upload_hours" in kinds["late_upload"]["advice"]
    assert all(item["advice"] for item in report["flags"]["items"])
    [first_late, _] = [i for i in report["flags"]["items"] if i["kind"] == "late_upload"]
    assert (first_late["evidence_id"], first_late["detail"]["hours"]) == (evidence(late), 30.0)

    async def flags_under(query):
        reply = await server.send("GET", REPORT + query, token=clerk)
        return {row["kind"]: row["count"] for row in reply.json()["flags"]["by_kind"]}

    # Late uploads follow their recording's case's agency (a recording of no registered case
    # only without an agency filter), its officer and capture time; sequence gaps belong to
    # no agency or officer, so they count only without those filters.
    assert await flags_under(f"?agency={AGENCY}") == {"late_upload": 1}
    assert await flags_under("?agency=长安区应急管理局") == {}
    assert await flags_under(f"?officer={OFFICER}") == {"late_upload": 2}
    assert await flags_under("?officer=B") == {}
    assert await flags_under("?since=2026-04-01") == {"sequence_gap": 2}
    assert await flags_under("?until=2026-04-01") == {"sequence_gap": 2, "late_upload": 2}

    narrowed = await server.send(
        "GET", REPORT + "?officer=B&since=2026-03-01&until=2026-04-01", token=clerk
    )
    assert narrowed.json()["totals"]["acts"] == 2
    by_type = await server.send("GET", REPORT + "?act_type=查封扣押财产", token=clerk)
    assert by_type.json()["totals"]["acts"] == 2
    limited = (await server.send("GET", REPORT + "?limit=1", token=clerk)).json()
    assert limited["not_ready"]["count"] == 2 and len(limited["not_ready"]["cases"]) == 1
    for query, code in [
        ("?colour=red", "bad_request"),
        ("?since=yesterday", "bad_request"),
        ("?act_type=parking", "unknown_act_type"),
        ("?limit=-1", "bad_request"),
    ]:
        reply = await server.send("GET", REPORT + query, token=clerk)
        assert (reply.status, reply.code) == (400, code), query
    # An as-needed type has no coverage to count: refused, not an all-zero report.
    reply = await server.send("GET", REPORT + "?act_type=现场检查", token=clerk)
    assert (reply.status, reply.code) == (409, "duty_not_full")


async def test_months_and_dates_are_the_agencys_utc_plus_8_not_utc(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    for start, end in [
        ("2026-03-31T15:30:00Z", "2026-03-31T15:50:00Z"),  # 23:30 on 31 March in Shijiazhuang
        ("2026-03-31T17:00:00Z", "2026-03-31T17:30:00Z"),  # 01:00 on 1 April there
    ]:
        act = {"case_number": CASE, "act_type": "seizure", "started_at": start, "ended_at": end}
        assert (await server.send("POST", ACTS, token=clerk, body=body(act))).status == 201
    report = (await server.send("GET", REPORT, token=clerk)).json()
    assert [(row["period"], row["acts"]) for row in report["by_period"]] == [
        ("2026-03", 1),
        ("2026-04", 1),
    ]
    # A plain date is midnight in UTC+8: 1 April starts at 2026-03-31T16:00Z.
    april = (await server.send("GET", REPORT + "?since=2026-04-01", token=clerk)).json()
    assert april["totals"]["acts"] == 1 and april["filters"]["since"] == "2026-04-01T00:00:00+08:00"
    march = (await server.send("GET", REPORT + "?until=2026-04-01", token=clerk)).json()
    assert [row["period"] for row in march["by_period"]] == ["2026-03"]
