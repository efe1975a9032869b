"""The liuhen command, as an operator and a custodian use it."""

import asyncio
import json
import re
import sqlite3
import subprocess
import sys

import pytest

from liuhen.cli import main

PASSWORD = "correct horse battery"


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "liuhen.toml"
    path.write_text(
        f'[server]\ndata_dir = "{tmp_path / "server"}"\n'
        f'[agent]\ndata_dir = "{tmp_path / "agent"}"\n'
    )
    return path


async def test_keys_devices_and_users(config, tmp_path, capsys, server, liuhen):
    """Keys and devices on the hosts; the first admin on the server host; then the person
    reads through the API (the server fixture serves the same data directory)."""
    base = ["--config", str(config), "--log-level", "WARNING"]

    def run(*argv: str) -> int:
        return main([*base, *argv])

    assert await asyncio.to_thread(run, "keys", "generate", "--device") == 0
    assert await asyncio.to_thread(run, "keys", "generate", "--device") == 2  # never overwrites
    assert "refusing to overwrite" in capsys.readouterr().err
    public = str(tmp_path / "agent" / "keys" / "device.pub.pem")
    register = ("device", "register", "dock-cli-01", "--public-key", public, "--label", "bay 1")
    assert await asyncio.to_thread(run, *register) == 0
    assert await asyncio.to_thread(run, *register[:-2]) == 2
    assert await asyncio.to_thread(run, "device", "list") == 0
    assert "dock-cli-01\tactive\tbay 1" in capsys.readouterr().out
    assert await asyncio.to_thread(run, "device", "revoke", "dock-cli-01") == 0
    code, out, _ = await liuhen("users", "add-admin", "root", "--password-stdin", stdin=PASSWORD)
    assert code == 0 and "liuhen login --name root" in out
    await liuhen.login("root", PASSWORD)
    code, out, _ = await liuhen("recordings", "list", "--json")
    assert code == 0 and json.loads(out) == {"recordings": []}
    code, _, err = await liuhen("recordings", "verify", "00000000-0000-4000-8000-000000000000")
    assert code == 2 and "not_found" in err


def test_configuration_mistakes_exit_2_with_the_reason(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[server]\nprot = 1\n")
    assert main(["--config", str(bad), "device", "list"]) == 2
    assert "unknown option" in capsys.readouterr().err


def test_config_defaults_prints_the_documented_table(capsys):
    assert main(["config", "defaults"]) == 0
    assert "| `server.port` | `8740` |" in capsys.readouterr().out


@pytest.mark.slow
def test_the_demo_shows_recordings_travelling_from_folder_to_index(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "liuhen.cli", "demo", "--clips", "3", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 of 3 recordings receipted by the server, with 3 review copies" in result.stdout
    assert "3 of 3 are now safe to remove" in result.stdout
    assert "3 of 3 recordings verified" in result.stdout
    assert "case 冀石执罚〔2026〕第0012号" in result.stdout
    assert "NOT READY for legal review (act 2: partial)" in result.stdout
    assert re.search(r"gap \S+T\d\d:07:03Z – \S+T\d\d:07:15Z \(12 s\)", result.stdout)
    assert "MISSING" in result.stdout
    assert "late_upload" not in result.stdout  # the footage is recent
    # It ends with the console's address and the custodian's sign-in (docs/console.md).
    assert re.search(
        r"console +http://127\.0\.0\.1:\d+/console  sign in as demo-clerk / \S+\n", result.stdout
    )


async def test_flags_are_listed_and_resolved_with_who_and_why(tmp_path, server, liuhen):
    for name in ("zhao", "li"):  # who resolves is who signed in
        await server.add_person(name, "supervisor")
    await liuhen.login("zhao")
    code, out, _ = await liuhen("flags", "list")
    assert code == 0 and out.strip() == "no flags"
    raw = sqlite3.connect(tmp_path / "server" / "index.sqlite3")
    raw.execute(
        "INSERT INTO flags (kind, subject, detail, raised_at) "
        "VALUES ('late_upload', 'e-1', '{}', '2026-03-12T00:00:00.000000Z')"
    )
    raw.commit()
    raw.close()
    code, out, _ = await liuhen("flags", "list", "--kind", "late_upload")
    assert code == 0 and "late_upload  e-1" in out and "what to do:" in out
    code, out, _ = await liuhen("flags", "resolve", "1", "--reason", "dock offline")
    assert code == 0 and out.strip() == "flag 1 (late_upload e-1) resolved by zhao"
    await liuhen.login("li")
    code, _, err = await liuhen("flags", "resolve", "1", "--reason", "again")
    assert code == 2 and "already_resolved" in err
    code, out, _ = await liuhen("flags", "list")
    assert code == 0 and out.strip() == "no flags"
    code, out, _ = await liuhen("flags", "list", "--resolved", "--json")
    [flag] = json.loads(out)["flags"]
    assert (flag["resolved_by"], flag["resolution"]) == ("zhao", "dock offline")


async def test_by_is_gone_and_a_custodian_cannot_do_a_supervisors_work(tmp_path, server, liuhen):
    """The outside tester's report: --by named nobody, and a custodian exempted an act."""
    await liuhen.as_person("wang", "custodian")
    code, _, err = await liuhen("flags", "resolve", "1", "--reason", "r", "--by", "nosuchperson")
    assert code == 2 and "unrecognized arguments: --by nosuchperson" in err
    code, _, err = await liuhen(
        "compliance", "exempt", "1", "--reason", "emergency", "--approver", "张局长",
        "--approved-at", "2026-03-12 10:00",
    )  # fmt: skip
    assert code == 2 and "error [forbidden]: role custodian may not approve" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["flags", "resolve", "100000000000000000000", "--reason", "r"],
        ["flags", "resolve", "0", "--reason", "r"],
        ["flags", "list", "--limit", "9223372036854775808"],
        ["acts", "show", "-1"],
        ["compliance", "withdraw", "99999999999999999999", "--reason", "r"],
        ["compliance", "confirm", "0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a", "1e20"],
        ["agent", "retry", str(10**23)],
        ["agent", "retry", "0"],
    ],
)
def test_numbers_out_of_range_are_usage_errors(config, capsys, argv):
    with pytest.raises(SystemExit, match=r"^2$") as exited:
        main(["--config", str(config), "--log-level", "WARNING", *argv])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "an id is" in err or "a count is" in err
