"""Commands on the server host open the server's books, never the server: reading the
index creates no server key and starts nothing; a command that signs loads the key and
says clearly when there is none."""

import pytest

from liuhen.cli import main

READING = [
    ["recordings", "list"],
    ["flags", "list"],
    ["device", "list"],
    ["users", "list"],
    ["compliance", "report"],
    ["compliance", "unassigned"],
    ["catalogue", "export"],
    ["audit", "access"],
]


@pytest.fixture
def base(tmp_path):
    config = tmp_path / "liuhen.toml"
    config.write_text(f'[server]\ndata_dir = "{tmp_path / "server"}"\n')
    return ["--config", str(config), "--log-level", "WARNING"]


@pytest.mark.parametrize("argv", READING, ids=" ".join)
def test_reading_the_books_creates_no_server_key(base, tmp_path, argv, capsys):
    assert main([*base, *argv]) == 0
    assert not (tmp_path / "server" / "keys").exists()


def test_a_command_that_signs_needs_the_key_and_says_where_it_should_be(base, tmp_path, capsys):
    transcript = tmp_path / "transcript.txt"
    transcript.write_text("询问笔录")
    assert main([*base, "users", "add", "wang", "--role", "custodian"]) == 0
    argv = ["recordings", "attach-transcript", "0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a"]
    assert main([*base, *argv, str(transcript), "--by", "wang"]) == 2
    err = capsys.readouterr().err
    assert "bad_key_file" in err and "no server key at" in err and "ingest serve" in err
    assert not (tmp_path / "server" / "keys").exists()
