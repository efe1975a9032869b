"""The log's root as leaves are appended, one at a time, without reading old leaves.

A ``CompactRange`` holds the roots of the complete subtrees that make up leaves
``[0, size)`` (one per set bit of ``size``, largest first). Appending a leaf works like
adding one to a binary counter: each carry joins two equal subtrees into a new complete
one. ``append`` returns the new range and every node it completed, which is exactly what
the log must store (``nodes``): leaf ``i`` is node (0, i), and each carry adds one more,
about two nodes per leaf in all.

After a restart the range is rebuilt from ``CompactRange.node_ids(size)`` (at most 63
stored nodes); the root of any past size comes from the same nodes of that size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from evidence import merkle
from evidence.tlog.codec import HASH_SIZE
from evidence.tlog.nodes import NodeId, fold, range_nodes

__all__ = ["CompactRange"]


@dataclass(frozen=True, slots=True)
class CompactRange:
    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise ValueError(f"a tree of {self.size} leaves has {self.size.bit_count()} peaks")
        if any(len(h) != HASH_SIZE for h in self.hashes):
            raise ValueError("node hashes are 32 bytes")

    @staticmethod
    def node_ids(size: int) -> tuple[NodeId, ...]:
        """The stored nodes whose hashes make up a tree of ``size`` leaves."""
        return range_nodes(0, size) if size else ()

    @classmethod
    def from_nodes(cls, size: int, lookup: Callable[[NodeId], bytes]) -> CompactRange:
        return cls(size, tuple(lookup(node) for node in cls.node_ids(size)))

    def root(self) -> bytes:
        return fold(self.hashes)

    def append(self, leaf_hash: bytes) -> tuple[CompactRange, tuple[tuple[NodeId, bytes], ...]]:
        """Add one leaf (its RFC 6962 leaf hash); return the new range and the nodes it
        completed, in order from the leaf up."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        peaks = list(self.hashes)
        node, value = NodeId(0, self.size), leaf_hash
        completed = [(node, value)]
        while node.index & 1:  # a right child: its left sibling is the last peak
            value = merkle.node_hash(peaks.pop(), value)
            node = NodeId(node.level + 1, node.index >> 1)
            completed.append((node, value))
        peaks.append(value)
        return CompactRange(self.size + 1, tuple(peaks)), tuple(completed)
