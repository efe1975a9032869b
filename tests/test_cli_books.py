"""Bootstrap commands on the server host open the server's books, never the server: they
create no server key and start nothing. Everything else a person does goes through the
API, signed in: without a session it says so, and touches no file of the server's."""

import pytest

from liuhen.cli import main

ON_THE_HOST = [["device", "list"], ["audit", "fixity"]]
THROUGH_THE_API = [
    ["recordings", "list"],
    ["flags", "list"],
    ["users", "list"],
    ["compliance", "report"],
    ["compliance", "unassigned"],
    ["catalogue", "export"],
    ["audit", "access"],
    ["recordings", "attach-transcript", "0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a", "t.txt"],
]


@pytest.fixture
def base(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    config = tmp_path / "liuhen.toml"
    config.write_text(f'[server]\ndata_dir = "{tmp_path / "server"}"\n')
    return ["--config", str(config), "--log-level", "WARNING"]


@pytest.mark.parametrize("argv", ON_THE_HOST, ids=" ".join)
def test_reading_the_books_creates_no_server_key(base, tmp_path, argv, capsys):
    assert main([*base, *argv]) == 0
    assert not (tmp_path / "server" / "keys").exists()


@pytest.mark.parametrize("argv", THROUGH_THE_API, ids=" ".join)
def test_a_persons_command_without_a_session_says_to_sign_in(base, tmp_path, argv, capsys):
    assert main([*base, *argv]) == 2
    err = capsys.readouterr().err
    assert "error [unauthenticated]: not signed in: liuhen login" in err
    assert not (tmp_path / "server").exists()
