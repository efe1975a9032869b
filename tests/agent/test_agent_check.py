"""``liuhen agent check``, bays refused at start, and network errors in one plain line
(issue 10). A mistyped bay was created and watched in silence; a refused connection was
logged as a Python repr. The real command against a real server, real folders."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import pytest

from agent.check import check_agent
from agent.runner import agent_service
from agent.server_api import ServerApi
from evidence.errors import ConfigError, Unavailable
from evidence.identifiers import DeviceId
from evidence.keys import key_id
from evidence.wire import HEALTH
from liuhen.cli import main
from runtime.key_files import generate_key_pair, load_private_key, load_public_key
from tests.agent.test_clean_stop import agent_toml
from tests.agent.test_refusals import free_port


async def _check(capsys, config, tmp_path) -> tuple[int, list[str]]:
    toml = agent_toml(config, tmp_path / "dock.toml")
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["--config", str(toml), "agent", "check"])
    return code, capsys.readouterr().out.splitlines()


async def test_a_dock_that_can_work_passes_every_check(server, agent_config, tmp_path, capsys):
    code, lines = await _check(capsys, agent_config, tmp_path)
    assert code == 0, lines
    assert [line.split(":")[0] for line in lines] == [
        f"ok    bay {agent_config.watch[0]}",
        f"ok    bay {agent_config.watch[1]}",
        "ok    keys",
        "ok    server",
        "ok    server key",
        "ok    device",
        "ok    clock",
    ]
    pinned = key_id(load_public_key(agent_config.server_public_key))
    assert f"ok    server key: the pinned key {pinned}" in lines


async def test_each_failing_check_says_what_to_do(server, agent_config, tmp_path, capsys):
    other = generate_key_pair(tmp_path / "other" / "server.pem")
    device = tmp_path / "unknown" / "device.pem"
    config = dataclasses.replace(
        agent_config,
        device_id="dock-unknown-09",
        data_dir=tmp_path / "unknown-agent",
        server_public_key=tmp_path / "other" / "server.pub.pem",
        watch=(agent_config.watch[0], tmp_path / "dock" / "bay-9", tmp_path / "a-file"),
    )
    generate_key_pair(config.key_path, config.public_key_path)
    (tmp_path / "a-file").write_bytes(b"not a folder")
    code, lines = await _check(capsys, config, tmp_path)
    assert code == 1
    text = "\n".join(lines)
    assert f"FAIL  bay {tmp_path / 'dock' / 'bay-9'}: " in text and "does not exist" in text
    assert f"FAIL  bay {tmp_path / 'a-file'}: {tmp_path / 'a-file'} is not a folder" in lines
    served = key_id(server.ctx.server_key.public_key())
    assert f"the server signs receipts with key {served}" in text
    assert f"pins key {key_id(other.public_key())}" in text
    register = f"liuhen device register dock-unknown-09 --public-key {config.public_key_path}"
    assert any(line.startswith("FAIL  device: ") and register in line for line in lines), lines
    assert not (tmp_path / "dock" / "bay-9").exists(), "checking creates nothing"
    assert device.exists() is False


async def test_an_unreachable_server_is_named_with_its_cause_in_one_line(
    server, agent_config, tmp_path, capsys
):
    port = free_port()
    config = dataclasses.replace(agent_config, server_url=f"http://127.0.0.1:{port}")
    code, lines = await _check(capsys, config, tmp_path)
    assert code == 1
    assert (
        f"FAIL  server: GET http://127.0.0.1:{port}/healthz failed: cannot connect to "
        f"127.0.0.1:{port} (connection refused)"
    ) in lines
    assert "skip  device: not checked" in lines


async def test_a_refused_connection_is_one_plain_line_not_a_repr(agent_config):
    port = free_port()
    key = load_private_key(agent_config.key_path)
    async with aiohttp.ClientSession() as session:
        api = ServerApi(session, f"http://127.0.0.1:{port}", DeviceId("dock-x"), key)
        with pytest.raises(Unavailable) as refused:
            await api.send("GET", HEALTH, authenticated=False)
    assert refused.value.code == "unavailable"
    assert refused.value.message == (
        f"GET http://127.0.0.1:{port}/healthz failed: cannot connect to 127.0.0.1:{port} "
        "(connection refused)"
    )


async def test_clocks_that_disagree_fail_the_check(server, agent_config):
    async with aiohttp.ClientSession() as session:
        ahead = await check_agent(agent_config, session, clock=lambda: time.time() + 300)
        behind = await check_agent(
            agent_config, session, clock=lambda: time.time() - 90, clock_tolerance=60
        )
    [clock] = [finding for finding in ahead if finding.what == "clock"]
    # The Date header has whole seconds: the skew measured is within a second of it.
    assert clock.ok is False
    assert re.match(r"this machine's clock is (299|300|301) s ahead of", clock.detail)
    [clock] = [finding for finding in behind if finding.what == "clock"]
    assert clock.ok is False
    assert re.search(r"(89|90|91) s behind the server's \(more than 60 s\)", clock.detail)


async def test_a_mistyped_bay_is_an_error_at_start_and_is_not_created(agent_config, rule):
    mistyped = agent_config.watch[0].parent / "bay-l"
    config = dataclasses.replace(agent_config, watch=(agent_config.watch[0], mistyped))
    with pytest.raises(ConfigError, match=f"agent.watch: {mistyped} does not exist"):
        async with agent_service(config, rule):
            pass
    assert not mistyped.exists()


def test_an_unreadable_bay_is_named():
    """As root every folder is readable: then the check runs as nobody, in a child process
    of the system's Python (the bay check needs nothing but the standard library)."""
    base = Path(tempfile.mkdtemp(prefix="liuhen-bay-"))
    try:
        base.chmod(0o755)
        bay = base / "locked"
        bay.mkdir(mode=0o700)
        check = (
            "import sys, pathlib; from agent.bays import bay_problem; "
            "print(bay_problem(pathlib.Path(sys.argv[1])))"
        )
        # The check's two modules, copied where nobody can read them: the checkout itself
        # may sit in a private folder (a temporary clone is 0700).
        code, root = base / "code", Path(__file__).parent.parent.parent
        for module in ("agent/bays.py", "evidence/errors.py"):
            (code / module).parent.mkdir(parents=True, exist_ok=True)
            (code / module).parent.joinpath("__init__.py").touch()
            shutil.copy(root / module, code / module)
        if os.geteuid() == 0:
            if not Path("/usr/bin/python3").exists():
                pytest.skip("as root, the check needs /usr/bin/python3 to run as nobody")
            command, user = ["/usr/bin/python3", "-c", check, str(bay)], 65534
        else:
            bay.chmod(0)
            command, user = [sys.executable, "-c", check, str(bay)], None
        child = subprocess.run(
            command, capture_output=True, text=True, user=user, cwd=code, check=False
        )
        assert child.returncode == 0, child.stderr
        said = child.stdout.strip()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert said.startswith(f"{bay} cannot be read by this user (uid "), said
