"""The compliance commands, as a case clerk and a supervisor use them: signed in, through
the API (who acts is who signed in)."""

import csv
import io
import json
import sqlite3
from datetime import datetime, timedelta

import pytest

from evidence.errors import ConfigError
from liuhen.settings import load_settings
from tests.builders import CASE, CHINA
from tests.compliance.index_rows import insert_original

T0 = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)


# li moves the end of a seizure (duty full): an edit for the role that exempts, which the
# command line on the server host used to let anyone make.
PEOPLE = {"wang": "custodian", "li": "supervisor", "zhao": "supervisor", "admin": "admin"}


@pytest.fixture
async def people(server, liuhen):
    for name, role in PEOPLE.items():
        await server.add_person(name, role)
    await liuhen.login("wang")
    return liuhen


@pytest.fixture
async def index(tmp_path, people):
    assert (await people("cases", "add", CASE, "--agency", "石家庄市城管执法局"))[0] == 0
    database = sqlite3.connect(tmp_path / "server" / "index.sqlite3")
    yield database
    database.close()


def minutes(n):
    return (T0 + timedelta(minutes=n)).isoformat()


async def test_a_case_from_registration_to_ready_for_review(people, index):
    assert (await people("cases", "add", CASE, "--agency", "石家庄市城管执法局"))[0] == 0
    code, out, _ = await people("cases", "show", CASE)
    assert code == 1 and "NOT READY for legal review (acts: 0)" in out
    code, out, _ = await people(
        "acts", "add", "--case-number", CASE, "--type", "seizure", "--start", "2026-03-12 09:30",
        "--end", minutes(10), "--officer", "130102001",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "act 1 registered")
    code, _, _ = await people(
        "acts", "add", "--case-number", CASE, "--type", "询问室询问", "--start", minutes(60),
        "--end", minutes(90), "--device", "BWC-00042,BWC-00043",
    )  # fmt: skip
    assert code == 0
    insert_original(index, case_number=CASE, start=T0, end=T0 + timedelta(minutes=10))
    interview = insert_original(
        index,
        case_number=None,
        start=T0 + timedelta(minutes=60),
        end=T0 + timedelta(minutes=90),
        officer=None,
        serial="BWC-00043",
    )

    code, out, _ = await people("cases", "show", CASE)
    assert code == 1 and "NOT READY" in out and "MISSING" in out

    code, out, _ = await people("compliance", "suggestions", "--case-number", CASE, "--json")
    [suggestion] = json.loads(out)["suggestions"]
    assert (suggestion["evidence_id"], suggestion["act_id"]) == (str(interview), 2)
    assert (await people("compliance", "confirm", str(interview), "2"))[0] == 0
    code, _, err = await people("compliance", "confirm", str(interview), "2")
    assert code == 2 and "already_decided" in err

    code, out, _ = await people("cases", "show", CASE, "--json")
    assert code == 0 and json.loads(out)["ready_for_review"] is True
    assert (await people("compliance", "unassigned", "--json"))[
        1
    ].strip() == '{\n  "recordings": []\n}'


async def test_edits_and_exemptions_are_kept_with_who_did_them(people, index):
    await people(
        "acts", "add", "--case-number", CASE, "--type", "seizure", "--start", minutes(0),
        "--end", minutes(10),
    )  # fmt: skip
    await people.login("li")
    code, out, err = await people(
        "acts", "edit", "1", "--end", minutes(20), "--place", "仓库", "--reason", "录入错误",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "act 1 is at revision 2"), err
    detail = json.loads((await people("acts", "show", "1", "--json"))[1])
    assert [(h["changed_by"], h["reason"]) for h in detail["history"]] == [
        ("wang", None),
        ("li", "录入错误"),
    ]
    assert set(detail["history"][1]["changes"]) == {"ended_at", "place"}
    assert "li" in (await people("acts", "show", "1"))[1]

    await people.login("zhao")
    code, _, _ = await people(
        "compliance", "exempt", "1", "--reason", "emergency", "--approver", "张局长",
        "--approved-at", "2026-03-12 10:00",
    )  # fmt: skip
    assert code == 0
    assert "EXEMPTED" in (await people("cases", "show", CASE))[1]
    assert (await people("compliance", "withdraw", "1", "--reason", "录像已找到"))[0] == 0
    code, _, err = await people("compliance", "withdraw", "1", "--reason", "again")
    assert code == 2 and "already_withdrawn" in err
    code, out, _ = await people("cases", "show", CASE)
    assert code == 1 and "withdrawn" in out


async def test_the_report_as_a_table_json_and_csv(people, index):
    await people(
        "acts", "add", "--case-number", CASE, "--type", "seizure", "--start", minutes(0),
        "--end", minutes(10), "--officer", "130102001",
    )  # fmt: skip
    late = insert_original(index, case_number=CASE, start=T0, end=T0 + timedelta(minutes=4))
    index.execute(  # as finalize raises it for an original stored two days after capture
        "INSERT INTO flags (kind, evidence_id, role, subject, detail, raised_at) "
        "VALUES ('late_upload', ?, 'original', ?, '{}', '2026-03-14T02:00:00.000000Z')",
        (str(late), str(late)),
    )
    index.commit()
    code, out, _ = await people("compliance", "report")
    assert code == 0
    assert "not ready for legal review: 1 case(s)" in out and "late_upload: 1" in out
    report = json.loads(
        (await people("compliance", "report", "--json", "--since", "2026-03-01"))[1]
    )
    assert report["totals"]["partial"] == 1
    rows = list(csv.reader(io.StringIO((await people("compliance", "report", "--csv"))[1])))
    assert rows[0] == [
        "group", "key", "name", "acts", "covered", "partial", "missing", "exempted", "edited",
        "coverage_rate",
    ]  # fmt: skip
    assert rows[1] == ["all", "", "", "1", "0", "1", "0", "0", "0", "0.0000"]
    assert ["officer", "130102001", "", "1", "0", "1", "0", "0", "0", "0.0000"] in rows
    code, _, err = await people("compliance", "report", "--since", "last week")
    assert code == 2 and "bad_request" in err


async def test_imports_and_the_catalogue_from_files(people, tmp_path):
    exported = tmp_path / "catalogue.csv"
    assert (await people("catalogue", "export", "--out", str(exported)))[0] == 0
    assert exported.read_text("utf-8").startswith("执法类别,事项,环节")
    await people.login("admin")
    assert (await people("catalogue", "import", str(exported)))[1].strip() == (
        "catalogue version 1 in force"
    )
    await people.login("wang")
    cases = tmp_path / "cases.csv"
    cases.write_text(f"案件编号,执法机关\n{CASE},石家庄市城管执法局\n", "utf-8")
    assert (await people("cases", "import", str(cases)))[1].startswith("1 case(s)")
    acts = tmp_path / "acts.csv"
    acts.write_text(
        "案件编号,执法机关,事项,开始时间,结束时间\n"
        f"{CASE},石家庄市城管执法局,强制拆除,2026-03-12 09:30,2026-03-12 9:40\n",
        "utf-8",
    )
    code, _, err = await people("acts", "import", str(acts))
    assert code == 2 and "bad_csv" in err and "row 2, column 结束时间" in err
    code, _, err = await people("acts", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "cannot read" in err


def test_compliance_settings_are_checked(tmp_path):
    config = tmp_path / "liuhen.toml"
    config.write_text("[compliance]\ngap_tolerance_seconds = -1\n")
    with pytest.raises(ConfigError, match="gap_tolerance_seconds"):
        load_settings(config, environ={})
    settings = load_settings(None, environ={"LIUHEN_COMPLIANCE__UTC_OFFSET_HOURS": "5.5"})
    assert settings.compliance.utc_offset_minutes == 330


def test_the_claim_tolerance_is_checked(tmp_path):
    config = tmp_path / "liuhen.toml"
    config.write_text("[compliance]\nclaim_tolerance_seconds = -0.5\n")
    with pytest.raises(ConfigError, match="claim_tolerance_seconds"):
        load_settings(config, environ={})
    settings = load_settings(None, environ={"LIUHEN_COMPLIANCE__CLAIM_TOLERANCE_SECONDS": "0"})
    assert settings.compliance.claim_tolerance_seconds == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["cases", "add", CASE, "--agency", "石家庄市城管执法局"],
        ["acts", "import", "acts.csv"],
        ["compliance", "withdraw", "1", "--reason", "r"],
        ["flags", "resolve", "1", "--reason", "r"],
        ["recordings", "attach-transcript", "0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a", "t.txt"],
    ],
)
async def test_who_acts_is_who_signed_in_and_a_disabled_person_is_refused(people, tmp_path, argv):
    """--by named anyone (the outside tester's nosuchperson); now nobody can be named: the
    parser refuses --by, and a person an admin disabled is refused at once."""
    (tmp_path / "acts.csv").write_text("x\n", "utf-8")
    (tmp_path / "t.txt").write_text("笔录", "utf-8")
    argv = [str(tmp_path / a) if a in ("acts.csv", "t.txt") else a for a in argv]
    code, _, err = await people(*argv, "--by", "nobody-at-all")
    assert code == 2 and "unrecognized arguments: --by" in err
    await people.login("admin")
    assert (await people("users", "disable", "wang"))[0] == 0
    await people.login("zhao")  # wang's session ended when they were disabled: sign in again
    code, _, err = await people(
        "login", "--server", people.server.url, "--name", "wang", "--password-stdin",
        stdin="correct horse battery",
    )  # fmt: skip
    assert code == 2 and "user_disabled" in err
