"""Running ``liuhen`` as a person would against the test server: signed in with
``liuhen login`` (the password on standard input), the session kept in a private config
folder of the test's own (``XDG_CONFIG_HOME``)."""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from liuhen.cli import main
from tests.conftest import Server

Run = Callable[..., Awaitable[tuple[int, str, str]]]


class Liuhen:
    """``await liuhen("flags", "list")`` → (exit status, standard output, standard error)."""

    def __init__(self, server: Server, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.server = server
        self.config = config
        self._capsys = capsys

    async def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        args = ["--config", str(self.config), "--log-level", "ERROR", *argv]
        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            code = await asyncio.to_thread(main, args)
        except SystemExit as exc:  # argparse refused the command line
            code = int(exc.code or 0)
        finally:
            sys.stdin = saved
        captured = self._capsys.readouterr()
        return code, captured.out, captured.err

    async def login(self, name: str, password: str = "correct horse battery") -> None:
        code, out, err = await self(
            "login", "--server", self.server.url, "--name", name, "--password-stdin", stdin=password
        )
        assert code == 0, err
        assert f"as {name} (" in out

    async def as_person(self, name: str, role: str) -> None:
        """Add a person with a password of their own and sign in as them."""
        await self.server.add_person(name, role)
        await self.login(name)


@pytest.fixture
def liuhen(server, tmp_path, capsys, monkeypatch) -> Liuhen:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    config = tmp_path / "liuhen-person.toml"
    config.write_text(f'[server]\ndata_dir = "{tmp_path / "server"}"\n')
    return Liuhen(server, config, capsys)
