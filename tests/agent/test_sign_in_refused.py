"""A dock whose device the server does not know, or has revoked, learns it at sign-in
(the challenge says nothing) and tells the operator in its log and in ``agent status``,
keeping the footage and asking again (a real agent against a real server)."""

import dataclasses
import logging
import os
import time
from datetime import timedelta, timezone

from agent.journal import Journal
from agent.states import FileState
from evidence.identifiers import DeviceId
from evidence.keys import key_id, public_key_pem
from ingest.access.devices import register_device, revoke_device
from liuhen.agent_status import print_agent_status
from runtime.key_files import generate_key_pair
from tests.agent.conftest import all_in, running_agent, wait_for_rows


async def status_text(journal: Journal, capsys) -> str:
    print_agent_status(
        await journal.all_files(), as_json=False, zone=timezone(timedelta(hours=8)), now=time.time()
    )
    return capsys.readouterr().out


async def test_an_unregistered_device_says_so_and_uploads_once_registered(
    server, agent_config, rule, caplog, capsys
):
    # the agent's own key, not the one the fixture registered under its id
    for path in (agent_config.key_path, agent_config.public_key_path):
        path.unlink()
    key = generate_key_pair(agent_config.key_path, agent_config.public_key_path)
    agent_config = dataclasses.replace(agent_config, device_id="dock-agent-02")
    media = agent_config.watch[0] / "clip.mp4"
    media.write_bytes(os.urandom(2000))
    caplog.set_level(logging.ERROR, logger="agent.server_api")
    async with running_agent(agent_config, rule) as service:
        [row] = await wait_for_rows(
            service.journal, lambda rows: len(rows) == 1 and rows[0].attempts >= 2
        )
        assert (row.state, row.error_code) == (FileState.SIGNED, "unknown_device")
        assert key_id(key.public_key()) in row.error_message
        assert "liuhen device register dock-agent-02" in row.error_message
        logged = [r.getMessage() for r in caplog.records if "sign-in refused" in r.getMessage()]
        assert len(logged) == 1 and "[unknown_device]" in logged[0]  # once, not per retry
        status = await status_text(service.journal, capsys)
        assert status.startswith("SIGN-IN REFUSED [unknown_device] (1 file(s) waiting)")
        assert media.exists() and not row.safe_to_remove

        await register_device(
            server.ctx.index.devices, DeviceId("dock-agent-02"), public_key_pem(key.public_key())
        )
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
        assert "SIGN-IN REFUSED" not in await status_text(service.journal, capsys)


async def test_a_revoked_device_says_so_in_agent_status(server, agent_config, rule, capsys):
    await revoke_device(server.ctx.index.devices, DeviceId(agent_config.device_id))
    (agent_config.watch[0] / "clip.mp4").write_bytes(os.urandom(2000))
    async with running_agent(agent_config, rule) as service:
        [row] = await wait_for_rows(
            service.journal, lambda rows: len(rows) == 1 and rows[0].attempts >= 2
        )
        status = await status_text(service.journal, capsys)
    assert (
        row.error_code == "device_revoked" and "revoked device dock-agent-01" in row.error_message
    )
    assert status.startswith("SIGN-IN REFUSED [device_revoked]")
