"""What the log hands out: its checkpoints, inclusion proofs as C2SP tlog-proofs, consistency
proofs, and the exact bytes of an entry. Every proof is computed from the stored nodes
(``evidence.tlog.prove``) and is against a checkpoint the server signed: an inclusion
proof of an entry newer than the latest checkpoint signs one first."""

from __future__ import annotations

from dataclasses import dataclass

from evidence.errors import BadRequest, UnknownCheckpoint, UnknownLogEntry
from evidence.tlog.checkpoint import SignedCheckpoint
from evidence.tlog.prove import consistency_plan, inclusion_plan
from evidence.tlog.tlog_proof import TlogProof
from ingest.custody_log.checkpoints import Checkpointer
from storage.interfaces import CustodyLog
from storage.log_records import CheckpointRecord, LoggedLeaf

__all__ = ["LogProofs"]


@dataclass(frozen=True)
class LogProofs:
    log: CustodyLog
    checkpoints: Checkpointer

    async def checkpoint(self, size: int | None = None) -> CheckpointRecord:
        """The latest signed checkpoint, or the one of ``size`` entries."""
        if size is None:
            return await self.checkpoints.latest()
        record = await self.log.checkpoint(size)
        if record is None:
            raise UnknownCheckpoint(f"no checkpoint of {size} entries was signed", size=size)
        return record

    async def entry_for(self, leaf_hash: bytes) -> int:
        index = await self.log.find(leaf_hash)
        if index is None:
            raise UnknownLogEntry(f"no entry with leaf hash {leaf_hash.hex()}")
        return index

    async def inclusion(self, index: int, size: int | None = None) -> TlogProof:
        """Entry ``index`` is in the tree of a signed checkpoint: the one of ``size``
        entries, or the latest (signed now if the entry is newer than it)."""
        if index >= await self.log.size():
            raise UnknownLogEntry(f"the log has no entry {index}", index=index)
        record = (
            await self.checkpoints.covering(index + 1)
            if size is None
            else await self.checkpoint(size)
        )
        plan = inclusion_plan(index, record.size)
        hashes = plan.hashes(await self.log.nodes(plan.node_ids))
        return TlogProof(index, tuple(hashes), SignedCheckpoint.parse(record.note))

    async def consistency(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """The tree of ``new_size`` entries (default: the latest checkpoint's) extends that
        of ``old_size``: RFC 9162 §2.1.4 proof hashes."""
        new = (await self.checkpoints.latest()).size if new_size is None else new_size
        if new > await self.log.size():
            raise BadRequest(f"the log has fewer than {new} entries", new_size=new)
        if old_size == new:
            return []
        plan = consistency_plan(old_size, new)
        return plan.hashes(await self.log.nodes(plan.node_ids))

    async def leaf(self, index: int) -> LoggedLeaf:
        entry = await self.log.leaf(index)
        if entry is None:
            raise UnknownLogEntry(f"the log has no entry {index}", index=index)
        return entry
