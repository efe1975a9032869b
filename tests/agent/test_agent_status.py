"""``liuhen agent status`` an operator can read (issue 10): a summary first (queue by
state, bytes pending, the oldest pending, upload rate, disk free, last error), then each
file with its upload offset and percentage, its work in hand with rate and time left,
its attempts and next try; filters; ``--json`` with RFC 3339 times. The real command
beside the real agent uploading to a real server under a cap; the summary's arithmetic
on rows built by hand beside it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from agent.completeness import Observation
from agent.disk import Space
from agent.file_row import FileRow
from agent.progress import Progress
from agent.states import FileState
from agent.summary import summarize
from evidence.digest import CHUNK_SIZE
from evidence.identifiers import EvidenceId, Role
from liuhen.agent_status import _file_json, _file_line
from liuhen.cli import main
from tests.agent.conftest import running_agent, wait_for_rows
from tests.agent.test_clean_stop import agent_toml

KIB = 1024
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


async def _status(capsys, toml: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["--config", str(toml), "agent", "status", *args])
    out, err = capsys.readouterr()
    return code, out, err


async def test_status_opens_with_a_summary_and_shows_an_upload_under_way(
    server, agent_config, rule, tmp_path, capsys
):
    config = dataclasses.replace(agent_config, bandwidth="512K", make_proxies=False)
    toml = agent_toml(config, tmp_path / "dock.toml")
    big = config.watch[0] / "long.mp4"
    big.write_bytes(os.urandom(CHUNK_SIZE + 4321))
    (config.watch[1] / "small.mp4").write_bytes(os.urandom(3000))
    async with running_agent(config, rule) as service:
        await wait_for_rows(
            service.journal,
            lambda rows: (
                {r.path.name: r.state for r in rows}
                == {"long.mp4": FileState.UPLOADING, "small.mp4": FileState.RECEIPTED}
                and rows[0].progress is not None
                and rows[0].progress.rate is not None
                and rows[0].progress.done > 1024 * KIB
            ),  # past the first burst
        )
        code, out, _ = await _status(capsys, toml)
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == "queue       1 receipted, 1 uploading"
        assert re.match(
            r"pending     1 file\(s\), \d+\.\d MiB not on the server yet; the oldest found "
            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00 \(\d+ s ago\)$",
            lines[1],
        ), lines[1]
        assert re.match(
            r"upload      \d+\.\d KiB/s now; cap 512\.0 KiB/s now \(timetable '512K', agent.bandwidth\)$",
            lines[2],
        ), lines[2]
        assert lines[3].startswith(f"disk        {config.data_dir}: ") and "free of" in lines[3]
        [uploading] = [line for line in lines if line.startswith("uploading")]
        assert re.search(
            r"upload \d+% \(\d+\.\d MiB of 8\.0 MiB\) at \d+\.\d KiB/s, about \d+ s left", uploading
        ), uploading
        rate = float(re.search(r"at (\d+\.\d) KiB/s", uploading).group(1))
        assert rate <= 1.3 * 512, "the cap holds"

        code, out, _ = await _status(capsys, toml, "--json", "--state", "uploading")
        document = json.loads(out)
        code2, _, err2 = await _status(capsys, toml, "--state", "bogus")
        code3, out3, _ = await _status(capsys, toml, "--since", "2999-01-01")
    summary = document["summary"]
    assert summary["queue"] == {"receipted": 1, "uploading": 1}
    assert summary["pending_files"] == 1 and 0 < summary["pending_bytes"] <= CHUNK_SIZE + 4321
    assert RFC3339.match(summary["at"]) and RFC3339.match(summary["oldest_pending_at"])
    assert summary["upload_rate"] > 0 and summary["disk_low"] is False
    [row] = document["files"]
    assert (row["path"], row["state"], row["size"]) == (str(big), "uploading", CHUNK_SIZE + 4321)
    assert RFC3339.match(row["first_seen_at"]) and row["progress"]["work"] == "upload"
    assert row["progress"]["eta_seconds"] > 0
    assert code2 == 2 and "bad_request" in err2 and "bogus" in err2
    assert code3 == 0 and "long.mp4" not in out3 and out3.startswith("queue ")


def _row(file_id: int, state: FileState, **fields) -> FileRow:
    base = dict(
        id=file_id,
        path=Path(f"/dock/{file_id}.mp4"),
        state=state,
        evidence_id=EvidenceId.new(),
        role=Role.ORIGINAL,
        parent_id=None,
        observation=Observation(1000, 1, file_id),
        first_seen_at=100.0 + file_id,
        unchanged_since=0.0,
        closed=True,
        fingerprint=None,
        media=None,
        perceptual=None,
        manifest=None,
        signature=None,
        upload_url=None,
        receipt=None,
        safe_to_remove=False,
        attempts=0,
        next_attempt_at=0.0,
        error_code=None,
        error_message=None,
        refusals=0,
        held_since=None,
    )
    base.update(fields)
    return FileRow(**base)


def test_the_summary_counts_what_is_pending_and_names_the_last_error():
    now = 1000.0
    rows = [
        _row(1, FileState.RECEIPTED),
        _row(
            2,
            FileState.UPLOADING,
            upload_offset=400,
            progress=Progress("upload", 400, 1000, 50.0, now - 1),
        ),
        _row(
            3,
            FileState.UPLOADING,
            upload_offset=0,
            progress=Progress("upload", 0, 1000, 70.0, now - 60),
        ),
        _row(4, FileState.SIGNED, error_code="unavailable", error_message="down", error_at=900.0),
        _row(5, FileState.HELD, error_code="too_large", error_message="big", error_at=950.0),
        _row(6, FileState.UNMADE, role=Role.PROXY, error_code="derivation_failed", error_at=10.0),
    ]
    low = Space(Path("/data"), 10, 1000)
    summary = summarize(rows, now, (low, Space(Path("/dock"), 900, 1000)), (low,))
    assert summary.queue == {"held": 1, "receipted": 1, "signed": 1, "unmade": 1, "uploading": 2}
    assert summary.pending_files == 4
    assert summary.pending_bytes == 600 + 1000 + 1000 + 1000
    assert summary.oldest_pending_at == 102.0
    assert summary.upload_rate == 50.0, "a stale reading is no rate"
    assert summary.last_error is not None and summary.last_error.file_id == 5
    assert summary.alarms[0].startswith("DISK LOW: /data: 10 B free of 1000 B (1.0%)")
    assert "1 file held: the server refused it — see below" in summary.alarms
    zone = timezone(timedelta(hours=8))
    document = summary.to_json(zone)
    assert document["oldest_pending_at"] == datetime.fromtimestamp(102, zone).isoformat()
    assert document["disk"][0] == {"path": "/data", "free": 10, "total": 1000, "low": True}
    assert json.loads(json.dumps(document)) == document
    assert time.time() > now


def test_a_duplicate_names_the_file_whose_footage_it_is():
    row = _row(7, FileState.DUPLICATE, duplicate_of=3, safe_to_remove=True)
    line = _file_line(row, UTC, 200.0)
    assert line == (
        "duplicate     /dock/7.mp4  safe to remove  "
        "(the same footage as file 3: not uploaded again)"
    )
    assert _file_json(row, UTC)["duplicate_of"] == 3
    assert _file_json(_row(8, FileState.RECEIPTED), UTC)["duplicate_of"] is None
