"""Signed checkpoints: now (on demand), or when due (every ``checkpoint_interval_seconds``
once the log has grown, or at once after ``checkpoint_entries`` more entries).

Before signing, the new tree must extend the last checkpoint the server signed: its size
is not smaller (a rollback) and a consistency proof from the stored nodes leads from the
old root to the new one. A log changed outside Liuhen is therefore never signed over; the
refusal is ``log_tampered``, logged as an error, and the fixity audit says where.
Checkpoints are kept by the index (one per size, never replaced).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from evidence.errors import IntegrityError, LiuhenError, LogTampered
from evidence.tlog.checkpoint import Checkpoint, SignedCheckpoint
from evidence.tlog.compact import CompactRange
from evidence.tlog.prove import consistency_plan
from evidence.tlog.verify import verify_consistency
from ingest.clock import Clock
from ingest.custody_log.identity import LogIdentity
from storage.interfaces import CustodyLog
from storage.log_records import CheckpointRecord

__all__ = ["Cadence", "Checkpointer"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cadence:
    interval_seconds: float
    entries: int

    @property
    def poll_seconds(self) -> float:
        """How often the log's size is looked at: a cheap read."""
        return min(1.0, self.interval_seconds)


@dataclass
class Checkpointer:
    log: CustodyLog
    identity: LogIdentity
    clock: Clock
    cadence: Cadence
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    async def latest(self) -> CheckpointRecord:
        """The newest checkpoint, signing the first one if there is none yet."""
        return await self.log.latest_checkpoint() or await self.sign_now()

    async def covering(self, size: int) -> CheckpointRecord:
        """A checkpoint of at least ``size`` entries: the latest, or a new one."""
        latest = await self.log.latest_checkpoint()
        if latest is not None and latest.size >= size:
            return latest
        return await self.sign_now()

    async def sign_now(self) -> CheckpointRecord:
        """Sign the log as it stands (or return the latest, if it has not grown)."""
        async with self._lock:
            # The checkpoint first, then the tree: another server sharing the index may
            # sign a larger log in between, and the log read after it is at least as
            # large; read the other way round, that looked like a rollback.
            latest = await self.log.latest_checkpoint()
            size, nodes = await self.log.tree()
            if latest is not None and latest.size == size:
                return latest
            root = CompactRange.from_nodes(size, nodes.__getitem__).root()
            if latest is not None:
                await self._check_extends(latest, size, root)
            signed = SignedCheckpoint.sign(
                Checkpoint(self.identity.origin, size, root), self.identity.signer
            )
            record = CheckpointRecord(size, root, signed.to_bytes(), self.clock())
            kept = await self.log.add_checkpoint(record)
            log.info("signed checkpoint %d of %s", size, self.identity.origin)
            return kept

    async def _check_extends(self, latest: CheckpointRecord, size: int, root: bytes) -> None:
        if size < latest.size:
            raise LogTampered(
                f"the log has {size} entries, fewer than the {latest.size} of its last "
                "checkpoint: entries were removed; nothing is signed",
                size=size,
                checkpoint_size=latest.size,
            )
        if latest.size == 0:
            return
        plan = consistency_plan(latest.size, size)
        proof = plan.hashes(await self.log.nodes(plan.node_ids))
        try:
            verify_consistency(latest.size, size, proof, latest.root, root)
        except IntegrityError as exc:
            raise LogTampered(
                f"the log no longer extends its checkpoint of {latest.size} entries: it was "
                "changed outside Liuhen; nothing is signed",
                checkpoint_size=latest.size,
            ) from exc

    async def due(self) -> bool:
        latest = await self.log.latest_checkpoint()
        if latest is None:
            return True
        grown = await self.log.size() - latest.size
        if grown >= self.cadence.entries:
            return True
        waited = self.clock() - latest.signed_at
        return grown > 0 and waited >= timedelta(seconds=self.cadence.interval_seconds)

    async def run_forever(self) -> None:
        """The server's checkpoint loop: a failure is logged (once while it lasts) and
        tried again next round."""
        failing: str | None = None
        while True:
            try:
                if await self.due():
                    await self.sign_now()
                failing = None
            except LiuhenError as exc:
                if exc.message != failing:
                    log.error("no checkpoint signed: [%s] %s", exc.code, exc.message)
                failing = exc.message
            await asyncio.sleep(self.cadence.poll_seconds)
