"""The demo's footage uploaded through the cluster: a dock registered with the shared
index (as ``liuhen device register`` does on a server host), the demo's body cameras
recording into its bays, and the real agent pointed at nginx's address until every
recording holds a receipt. What ``./scripts/cluster demo`` runs, and a test runs too."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from datetime import datetime
from pathlib import Path

from agent.config import AgentConfig
from agent.runner import agent_service
from agent.states import FileState
from evidence.case_number import CaseNumberRule
from evidence.identifiers import DeviceId, Role
from ingest.access.devices import register_device
from liuhen.demo import demo_start, record_footage
from runtime.key_files import generate_key_pair
from storage.postgres import open_postgres_index

__all__ = ["FootageResult", "upload_demo_footage"]

DEVICE = "dock-cluster-01"


@dataclasses.dataclass(frozen=True)
class FootageResult:
    recordings: int  # originals the agent found
    receipted: int  # originals the server receipted
    copies: int  # review copies receipted
    evidence_ids: tuple[str, ...]


async def _enrol(config: AgentConfig, postgres: dict[str, str], work: Path) -> None:
    generate_key_pair(config.key_path, config.public_key_path)
    index = await open_postgres_index(
        work / "unused", dsn=postgres["dsn"], owner_dsn=postgres.get("owner_dsn", "")
    )
    try:
        await register_device(
            index.devices,
            DeviceId(config.device_id),
            config.public_key_path.read_bytes(),
            "cluster dock",
        )
    finally:
        await index.close()


async def upload_demo_footage(
    url: str,
    server_public_key: Path,
    postgres: dict[str, str],
    work: Path,
    *,
    clips: int = 4,
    start: datetime | None = None,
) -> FootageResult:
    """Record ``clips`` demo clips into a fresh dock and upload them through ``url``."""
    bays = [work / "dock" / "bay-1", work / "dock" / "bay-2"]
    for bay in bays:
        bay.mkdir(parents=True, exist_ok=True)
    config = AgentConfig(
        device_id=DEVICE,
        server_url=url,
        data_dir=work / "agent",
        server_public_key=server_public_key,
        watch=tuple(bays),
        settle_seconds=0.5,
        quiet_seconds=3.0,
        rescan_seconds=2.0,
    )
    await _enrol(config, postgres, work)
    await asyncio.to_thread(record_footage, bays, clips, start or demo_start())
    async with agent_service(config, CaseNumberRule()) as service:
        async with asyncio.timeout(300):
            await service.run(once=True)
        rows = await service.journal.all_files()
    done = Counter((row.role, row.state) for row in rows)
    originals = [row for row in rows if row.role is Role.ORIGINAL]
    return FootageResult(
        len(originals),
        done[Role.ORIGINAL, FileState.RECEIPTED],
        done[Role.PROXY, FileState.RECEIPTED],
        tuple(str(row.evidence_id) for row in originals),
    )
