"""The liuhen command, as an operator and a custodian use it."""

import json
import re
import sqlite3
import subprocess
import sys

import pytest

from liuhen.cli import main


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "liuhen.toml"
    path.write_text(
        f'[server]\ndata_dir = "{tmp_path / "server"}"\n'
        f'[agent]\ndata_dir = "{tmp_path / "agent"}"\n'
    )
    return path


def test_keys_devices_and_users(config, tmp_path, capsys):
    base = ["--config", str(config), "--log-level", "WARNING"]
    assert main([*base, "keys", "generate", "--device"]) == 0
    assert main([*base, "keys", "generate", "--device"]) == 2  # never overwrites a key
    assert "refusing to overwrite" in capsys.readouterr().err
    public = tmp_path / "agent" / "keys" / "device.pub.pem"
    assert (
        main(
            [
                *base,
                "device",
                "register",
                "dock-cli-01",
                "--public-key",
                str(public),
                "--label",
                "bay 1",
            ]
        )
        == 0
    )
    assert main([*base, "device", "register", "dock-cli-01", "--public-key", str(public)]) == 2
    assert main([*base, "device", "list"]) == 0
    assert "dock-cli-01\tactive\tbay 1" in capsys.readouterr().out
    assert main([*base, "device", "revoke", "dock-cli-01"]) == 0
    assert main([*base, "users", "add", "wang", "--role", "custodian"]) == 0
    assert "API token" in capsys.readouterr().out
    assert main([*base, "recordings", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"recordings": []}
    assert main([*base, "recordings", "verify", "00000000-0000-4000-8000-000000000000"]) == 2
    assert "not_found" in capsys.readouterr().err


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


def test_flags_are_listed_and_resolved_with_who_and_why(config, tmp_path, capsys):
    base = ["--config", str(config), "--log-level", "WARNING"]
    for name in ("zhao", "li"):  # --by names a person the server knows
        assert main([*base, "users", "add", name, "--role", "supervisor"]) == 0
    capsys.readouterr()
    assert main([*base, "flags", "list"]) == 0
    assert capsys.readouterr().out.strip() == "no flags"
    raw = sqlite3.connect(tmp_path / "server" / "index.sqlite3")
    raw.execute(
        "INSERT INTO flags (kind, subject, detail, raised_at) "
        "VALUES ('late_upload', 'e-1', '{}', '2026-03-12T00:00:00.000000Z')"
    )
    raw.commit()
    raw.close()
    assert main([*base, "flags", "list", "--kind", "late_upload"]) == 0
    out = capsys.readouterr().out
    assert "late_upload  e-1" in out and "what to do:" in out
    assert main([*base, "flags", "resolve", "1", "--reason", "dock offline", "--by", "zhao"]) == 0
    assert capsys.readouterr().out.strip() == "flag 1 (late_upload e-1) resolved by zhao"
    assert main([*base, "flags", "resolve", "1", "--reason", "again", "--by", "li"]) == 2
    assert "already_resolved" in capsys.readouterr().err
    assert main([*base, "flags", "list"]) == 0
    assert capsys.readouterr().out.strip() == "no flags"
    assert main([*base, "flags", "list", "--resolved", "--json"]) == 0
    [flag] = json.loads(capsys.readouterr().out)["flags"]
    assert (flag["resolved_by"], flag["resolution"]) == ("zhao", "dock offline")


@pytest.mark.parametrize(
    "argv",
    [
        ["flags", "resolve", "100000000000000000000", "--reason", "r", "--by", "zhao"],
        ["flags", "resolve", "0", "--reason", "r", "--by", "zhao"],
        ["flags", "list", "--limit", "9223372036854775808"],
        ["acts", "show", "-1"],
        ["compliance", "withdraw", "99999999999999999999", "--reason", "r", "--by", "zhao"],
        ["compliance", "confirm", "0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a", "1e20", "--by", "zhao"],
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
