"""A small custody log in memory, grown as the server grows its log, for the tests."""

import hashlib

from evidence import merkle
from evidence.tlog.checkpoint import Checkpoint, SignedCheckpoint
from evidence.tlog.compact import CompactRange
from evidence.tlog.prove import consistency_plan, inclusion_plan
from evidence.tlog.tlog_proof import TlogProof
from tests.kernel.tlog_keys import LOG_SIGNER, ORIGIN


class MemoryLog:
    def __init__(self) -> None:
        self.leaves: list[bytes] = []
        self.range = CompactRange()
        self.nodes: dict = {}

    def append(self, data: bytes) -> int:
        self.range, completed = self.range.append(merkle.leaf_hash(data))
        self.nodes.update(completed)
        self.leaves.append(data)
        return len(self.leaves) - 1

    def checkpoint(self, signer=LOG_SIGNER, origin=ORIGIN) -> SignedCheckpoint:
        tree = Checkpoint(origin, self.range.size, self.range.root())
        return SignedCheckpoint.sign(tree, signer)

    def proof(self, index: int, checkpoint: SignedCheckpoint) -> TlogProof:
        hashes = inclusion_plan(index, checkpoint.checkpoint.size).hashes(self.nodes)
        return TlogProof(index, tuple(hashes), checkpoint)

    def consistency(self, old: int, new: int) -> list[bytes]:
        return consistency_plan(old, new).hashes(self.nodes)


def grown(count: int) -> MemoryLog:
    log = MemoryLog()
    for n in range(count):
        log.append(hashlib.sha256(b"entry %d" % n).digest())
    return log
