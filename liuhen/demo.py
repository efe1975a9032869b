"""The demo: an ingest server and an agent on a temporary data directory, two simulated
body cameras offloading footage into dock bays, and the index printed at the end."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from agent.file_row import FileRow
from agent.runner import agent_service
from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.identifiers import DeviceId, Role
from ingest.access.devices import register_device
from ingest.http.server import running
from ingest.startup import open_server
from liuhen import demo_people as people
from liuhen.api_client import ApiClient, api_client
from liuhen.compliance_output import print_case_coverage
from liuhen.report import print_recordings
from liuhen.settings import Settings
from runtime.key_files import generate_key_pair

__all__ = ["demo_start", "record_footage", "run_demo"]

log = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8))
_SCENES = (
    ("冀石执罚〔2026〕第0012号", "石家庄市长安区中山东路12号", "查封扣押现场物品清点"),
    ("冀石执罚〔2026〕第0012号", "石家庄市长安区中山东路12号", "扣押物品装车封存"),
    ("冀石执强〔2026〕第0003号", "石家庄市桥西区红旗大街88号", "强制拆除违法建筑全过程"),
    (None, "石家庄市裕华区槐安路", "现场检查"),
)


# What the case system knows: the enforcement acts, whose whole-process duty the footage
# above must meet. The second seizure lasted longer than its 3 s of footage; the disposal
# of confiscated goods was never filmed.
_AGENCY = "石家庄市城市管理综合行政执法局"
_ACTS = (
    ("冀石执罚〔2026〕第0012号", "seizure", 0, 3, "130102001"),
    ("冀石执罚〔2026〕第0012号", "seizure", 7 * 60, 7 * 60 + 15, "130102017"),
    ("冀石执强〔2026〕第0003号", "forced_demolition", 14 * 60, 14 * 60 + 3, "130102001"),
    ("冀石执强〔2026〕第0003号", "confiscated_property_disposal", 90 * 60, 120 * 60, "130102001"),
)


def demo_start() -> datetime:
    """Three hours ago, on the hour: recent footage, so nothing is flagged as uploaded late."""
    now = datetime.now(CHINA).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=3)


def record_footage(bays: list[Path], clips: int, start: datetime) -> None:
    cameras = [
        BodyCamera(bays[0], device_serial="BWC-00042", officer_id="130102001", officer_name="张伟"),
        BodyCamera(bays[1], device_serial="BWC-00077", officer_id="130102017", officer_name="李娜"),
    ]
    for n in range(clips):
        case_number, place, proves = _SCENES[n % len(_SCENES)]
        cameras[n % 2].record(
            started_at=start + timedelta(minutes=7 * n),
            seconds=3,
            case_number=case_number,
            place=place,
            proves=proves,
        )


async def run_demo(
    settings: Settings, *, clips: int, workdir: Path | None, serve: bool = False
) -> int:
    with tempfile.TemporaryDirectory(prefix="liuhen-demo-") as scratch:
        base = workdir or Path(scratch)
        server_config = dataclasses.replace(settings.server, data_dir=base / "server", port=0)
        bays = [base / "dock" / "bay-1", base / "dock" / "bay-2"]
        rule = settings.case_numbers.rule()
        first_capture = demo_start()
        print(f"Liuhen demo, working in {base}")
        server = await open_server(
            server_config, rule, compliance=settings.compliance, custody=settings.custody
        )
        try:  # the server key is made on its first start
            agent_config = dataclasses.replace(
                settings.agent,
                device_id="dock-demo-01",
                data_dir=base / "agent",
                server_public_key=server_config.server_public_key_path,
                watch=tuple(bays),
                settle_seconds=0.5,
                quiet_seconds=3.0,
                rescan_seconds=2.0,
            )
            generate_key_pair(agent_config.key_path, agent_config.public_key_path)
            await register_device(
                server.index.devices,
                DeviceId(agent_config.device_id),
                agent_config.public_key_path.read_bytes(),
                "demo dock",
            )
            admin_password = await people.add_admin(server.services.users)
            tolerance = server.compliance.gap_tolerance_seconds
            async with running(server, "127.0.0.1", 0) as url:
                print(f"  ingest server   {url}  (SQLite index, local write-once store)")
                agent_config = dataclasses.replace(agent_config, server_url=url)
                print(f"  agent           {agent_config.device_id}, watching {len(bays)} dock bays")
                started = time.monotonic()
                await asyncio.to_thread(record_footage, bays, clips, first_capture)
                print(
                    f"  body cameras    recorded and docked {clips} clips (H.264 + AAC, made with PyAV)"
                )
                async with agent_service(agent_config, rule) as service:
                    async with asyncio.timeout(300):
                        await service.run(once=True)
                    rows = await service.journal.all_files()
                elapsed = time.monotonic() - started
                _print_receipts(rows, elapsed)
                password, token = await people.signed_in_clerk(url, admin_password)
                print(f"  people          {people.ADMIN} (admin) added {people.CLERK} (custodian),")
                print("                  who signed in and does the rest through the API\n")
                async with api_client(url, token) as clerk:
                    outcome = await _report(clerk, rows, clips, first_capture, tolerance)
                await _console(url, password, serve)
                return outcome
        finally:
            await server.close()


async def _console(url: str, password: str, serve: bool) -> None:
    """The console's address and a sign-in for it; with ``serve``, the server stays up for
    it until Ctrl-C (the footage, its review copies and the coverage are all there)."""
    print(f"\n  console         {url}/console  sign in as {people.CLERK} / {password}")
    if not serve:
        print("                  (it stops with the demo: liuhen demo --serve keeps it open)")
        return
    print("                  serving until Ctrl-C")
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.Event().wait()


def _print_receipts(rows: list[FileRow], elapsed: float) -> None:
    originals = [row for row in rows if row.role is Role.ORIGINAL]
    receipted = [row for row in originals if row.state is FileState.RECEIPTED]
    copies = [row for row in rows if row.role is Role.PROXY and row.state is FileState.RECEIPTED]
    safe = sum(1 for row in receipted if row.safe_to_remove)
    print(
        f"  receipts        {len(receipted)} of {len(originals)} recordings receipted by the server, "
        f"with {len(copies)} review copies (720p H.264, made in-process), "
        f"in {elapsed:.1f} s\n"
        f"                  {safe} of {len(originals)} are now safe to remove from the dock"
    )


async def _report(
    clerk: ApiClient, rows: list[FileRow], clips: int, first_capture: datetime, tolerance: float
) -> int:
    """What the demo shows, read through the API as the custodian who signed in."""
    receipted = [
        str(row.evidence_id)
        for row in rows
        if row.role is Role.ORIGINAL and row.state is FileState.RECEIPTED
    ]
    print("Recordings in the index, verified again against the store now:\n")
    recordings = await people.verify_all(clerk, receipted)
    print_recordings(recordings, as_json=False)
    print(f"\nWhole-process recording duty, act by act (gaps over {tolerance:g} s):\n")
    for case in await people.register_acts(clerk, _ACTS, _AGENCY, first_capture):
        print_case_coverage(await people.coverage(clerk, case))
    verified = sum(1 for r in recordings if r["verification"] and r["verification"]["ok"])
    print(
        f"\n{verified} of {len(recordings)} recordings verified: size, SHA-256, every 8 MiB chunk "
        "and its RFC 6962 root, the device's signature, and the server's receipt."
    )
    return 0 if verified == len(recordings) == clips else 1
