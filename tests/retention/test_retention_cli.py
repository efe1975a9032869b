"""``liuhen hold`` and ``liuhen retention report`` as people run them, through the API:
the table in the agency's local time, --json and --csv; refusals carry their codes."""

from __future__ import annotations

import csv
import io
import json

from tests.builders import CASE
from tests.compliance.helpers import add_case, recording


async def test_a_custodian_holds_a_case_lists_it_and_lifts_it(server, liuhen):
    await liuhen.as_person("wang", "custodian")
    await add_case(server, await server.add_user())
    code, out, err = await liuhen("hold", "set", "--case-number", CASE, "--reason", "行政复议")
    assert code == 0, err
    assert f"hold 1 on case {CASE}: set " in out and "by wang (custodian), 行政复议" in out
    assert "+08:00" in out  # the agency's zone, with its offset
    code, out, err = await liuhen("hold", "list", "--json")
    assert code == 0, err
    assert [h["hold_id"] for h in json.loads(out)] == [1]
    code, out, err = await liuhen("hold", "lift", "1", "--reason", "复议终结")
    assert code == 0, err
    assert "lifted" in out and "by wang: 复议终结" in out
    code, out, err = await liuhen("hold", "lift", "1", "--reason", "again")
    assert code == 2 and "error [already_lifted]" in err
    code, out, err = await liuhen("hold", "list")
    assert (code, out.strip()) == (0, "no holds")


async def test_a_reviewer_may_not_hold(server, liuhen):
    await liuhen.as_person("li", "reviewer")
    code, _out, err = await liuhen("hold", "set", "--case-number", CASE, "--reason", "x")
    assert code == 2 and "error [forbidden]" in err


async def test_the_retention_report_as_a_table_json_and_csv(server, liuhen):
    await liuhen.as_person("wang", "custodian")
    cased = await recording(server, 0, 10)
    loose = await recording(server, 20, 30, case_number=None)
    code, out, err = await liuhen("retention", "report")
    assert code == 0, err
    assert "retention classes: permanent = permanent, long = 30 years" in out
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    cased_id = str(cased.signed.manifest.evidence_id)
    loose_id = str(loose.signed.manifest.evidence_id)
    assert "permanent (permanent)" in lines[cased_id] and "never" in lines[cased_id]
    assert "six_months (6 months)" in lines[loose_id] and "+08:00" in lines[loose_id]
    code, out, err = await liuhen("retention", "report", "--json")
    report = json.loads(out)
    by_id = {line["evidence_id"]: line for line in report["recordings"]}
    assert by_id[cased_id]["because"] == CASE and by_id[loose_id]["status"] == "kept"
    code, out, err = await liuhen("retention", "report", "--csv")
    assert code == 0 and out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert {row["evidence_id"]: row["class"] for row in rows} == {
        cased_id: "permanent (permanent)",
        loose_id: "six_months (6 months)",
    }
