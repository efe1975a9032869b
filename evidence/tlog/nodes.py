"""Nodes of an RFC 6962 tree, named by where they sit.

``NodeId(level, index)`` is the root of the complete subtree over leaves
``[index * 2**level, (index + 1) * 2**level)``: level 0 holds the leaf hashes, level 1 the
hash of each pair, and so on. A complete subtree never changes once its last leaf is in,
so a log stores each one once, under its (level, index), the way trillian and the C2SP
tlog-tiles layout do; every proof and every root of any past size is then made of
O(log n) of them (``compact``, ``prove``).

The subtrees RFC 6962 cuts a tree into are ranges ``[start, end)`` whose ``start`` is a
multiple of the largest power of two not above their size; such a range splits into the
complete subtrees named by the set bits of its size, largest first (``range_nodes``), and
its hash folds them from the right (``fold``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evidence import merkle
from evidence.ranges import INT64_MAX

__all__ = ["EMPTY_ROOT", "NodeId", "fold", "range_nodes", "split_point"]

EMPTY_ROOT = merkle.root_of([])
_MAX_LEVEL = 63


@dataclass(frozen=True, slots=True, order=True)
class NodeId:
    level: int
    index: int

    def __post_init__(self) -> None:
        if not 0 <= self.level <= _MAX_LEVEL or not 0 <= self.index <= INT64_MAX >> self.level:
            raise ValueError(f"no node at level {self.level}, index {self.index}")

    @property
    def start(self) -> int:
        """The first leaf under this node."""
        return self.index << self.level

    @property
    def end(self) -> int:
        """One past the last leaf under this node."""
        return (self.index + 1) << self.level


def split_point(size: int) -> int:
    """The largest power of two strictly below ``size`` (size >= 2): RFC 6962's k."""
    return 1 << ((size - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> tuple[NodeId, ...]:
    """The complete subtrees that make up the RFC 6962 subtree ``[start, end)``."""
    size = end - start
    if size <= 0 or start % (1 << (size.bit_length() - 1)):
        raise ValueError(f"[{start}, {end}) is not a subtree of an RFC 6962 tree")
    nodes: list[NodeId] = []
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append(NodeId(level, start >> level))
            start += 1 << level
    return tuple(nodes)


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a subtree from the hashes of its ``range_nodes``, largest first."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = merkle.node_hash(left, result)
    return result
