"""What holds back every file, not one, opens ``liuhen agent status`` like a refused
sign-in: a server that offers no sha256 checksums, and receipts that do not verify under
the pinned server key (the wrong key copied to the dock). Real agent, real server."""

import dataclasses
import os

from evidence.keys import generate_key_pair
from tests.agent.conftest import running_agent, wait_for_rows
from tests.agent.test_sign_in_refused import status_text


def stuck_on(code):
    return lambda rows: len(rows) == 1 and rows[0].error_code == code and rows[0].attempts >= 2


async def test_a_server_without_checksums_is_an_alarm(
    server, agent_config, rule, monkeypatch, capsys
):
    monkeypatch.setattr("ingest.tus_rules.EXTENSIONS", ("creation", "termination"))
    (agent_config.watch[0] / "clip.mp4").write_bytes(os.urandom(2000))
    async with running_agent(agent_config, rule) as service:
        await wait_for_rows(service.journal, stuck_on("checksum_unsupported"))
        status = await status_text(service.journal, capsys)
    assert status.startswith("UPLOADS BLOCKED [checksum_unsupported] (1 file(s) waiting): ")
    assert "must offer tus checksums with sha256" in status.splitlines()[1]


async def test_receipts_under_another_key_are_an_alarm(server, agent_config, rule, capsys):
    wrong = agent_config.data_dir.parent / "wrong" / "server.pem"
    generate_key_pair(wrong, wrong.with_suffix(".pub.pem"))
    agent_config = dataclasses.replace(
        agent_config, server_public_key=wrong.with_suffix(".pub.pem")
    )
    (agent_config.watch[0] / "clip.mp4").write_bytes(os.urandom(2000))
    async with running_agent(agent_config, rule) as service:
        await wait_for_rows(service.journal, stuck_on("receipt_mismatch"))
        status = await status_text(service.journal, capsys)
    assert status.startswith("RECEIPTS REFUSED [receipt_mismatch] (1 file(s) waiting): ")
    assert "agent.server_public_key" in status.splitlines()[1]
