"""Fixtures of the compliance command-line tests: the ``liuhen`` command on a server
data directory of its own, with the people --by names, and its index opened beside it."""

import sqlite3

import pytest

from liuhen.cli import main
from tests.builders import CASE


@pytest.fixture
def liuhen(tmp_path, capsys):
    config = tmp_path / "liuhen.toml"
    config.write_text(f'[server]\ndata_dir = "{tmp_path / "server"}"\n')

    def run(*argv):
        code = main(["--config", str(config), "--log-level", "WARNING", *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    # --by names a person the server knows
    for name, role in PEOPLE.items():
        assert run("users", "add", name, "--role", role)[0] == 0
    return run


PEOPLE = {"wang": "custodian", "li": "custodian", "zhao": "supervisor", "admin": "admin"}


@pytest.fixture
def index(tmp_path, liuhen):
    assert liuhen("cases", "add", CASE, "--agency", "石家庄市城管执法局", "--by", "wang")[0] == 0
    database = sqlite3.connect(tmp_path / "server" / "index.sqlite3")
    yield database
    database.close()
