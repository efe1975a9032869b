"""A review copy that cannot be made (issue 10): the field case was no room for it. It
crash-looped, then it was held and tried for ever and its original never became safe to
remove. Now it is retried with backoff, given up after agent.derivation_attempts (state
``unmade``, an alarm in status), the server is told once (it raises a
``derivation_failed`` flag on the recording: before the server's route existed the agent
noted ``unsupported``), and the original is freed by policy. A real clip, the real
agent and server, and a real 16 KiB file system where the agent makes its review copies."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from datetime import datetime, timedelta, timezone

from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.identifiers import Role
from liuhen.agent_status import print_agent_status
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.agent.small_disk import small_disk

CHINA = timezone(timedelta(hours=8))
START = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)


async def test_a_review_copy_with_no_room_is_given_up_and_its_original_freed(
    server, agent_config, rule, caplog, capsys
):
    config = dataclasses.replace(agent_config, derivation_attempts=2)
    caplog.set_level(logging.INFO)
    with small_disk(config.data_dir / "derived", "16k") as derived:
        clip = await asyncio.to_thread(
            BodyCamera(config.watch[0]).record, started_at=START, seconds=2, place="石家庄"
        )
        async with running_agent(config, rule) as service:
            rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
            copy = next(row for row in rows if row.role is Role.PROXY)
            rows = await wait_for_rows(
                service.journal, lambda rows: rows[-1].reported is not None, within=10
            )
        leftovers = sorted(path.name for path in derived.rglob("*") if path.is_file())
    [original] = originals(rows)
    copy = next(row for row in rows if row.role is Role.PROXY)
    assert original.safe_to_remove and original.state is FileState.RECEIPTED
    assert (copy.state, copy.error_code, copy.refusals) == (
        FileState.UNMADE,
        "derivation_failed",
        2,
    )
    assert "No space left on device" in copy.error_message
    assert copy.reported == "sent", "the server heard it"
    assert leftovers == [], "nothing half-made is left behind"
    assert clip.media.exists(), "the footage stays on the dock"
    given_up = [r for r in caplog.records if "GIVEN UP after 2 attempts" in r.getMessage()]
    told = [r for r in caplog.records if "cannot be told" in r.getMessage()]
    assert len(given_up) == 1 and told == []
    [flag] = await server.ctx.index.flags.open_flags("derivation_failed")
    assert (flag.evidence_id, flag.role, flag.subject) == (
        copy.evidence_id,
        Role.PROXY,
        f"{copy.evidence_id}/proxy",
    )
    detail = json.loads(flag.detail)
    assert "No space left on device" in detail["reason"]
    assert (detail["code"], detail["attempts"]) == ("derivation_failed", 2)

    print_agent_status(rows, as_json=False, zone=CHINA, now=copy.next_attempt_at)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "1 copy given up: could not be made; the original is receipted — see below"
    assert f"UNMADE   file {copy.id}  {copy.path} (proxy)" in out
    assert any("given up after 2 attempts; the server was told" in line for line in out)
