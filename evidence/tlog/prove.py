"""Which stored nodes an inclusion or consistency proof needs, and how they make its hashes.

A proof is a list of subtree hashes (RFC 9162 §2.1.3.1 PATH and §2.1.4.1 SUBPROOF). Each
of them is either a complete subtree, one stored node, or the one subtree on the tree's
right edge that is not complete, folded from the O(log n) complete subtrees it is made of.
So a ``ProofPlan`` names every node to read (``node_ids``: at most about 2·log2(n), for
one batched lookup) and then turns their hashes into the proof (``hashes``). Nothing here
reads storage: the caller fetches the nodes, however it keeps them.

Plans work for any size up to the log's current one: complete subtrees never change, so
proofs against an older checkpoint come from the same nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from evidence.errors import BadRequest
from evidence.tlog.nodes import NodeId, fold, range_nodes, split_point

__all__ = ["ProofPlan", "consistency_plan", "inclusion_plan", "root_plan"]


@dataclass(frozen=True, slots=True)
class ProofPlan:
    """One entry per proof hash, each the nodes it folds from (largest first)."""

    parts: tuple[tuple[NodeId, ...], ...]

    @property
    def node_ids(self) -> tuple[NodeId, ...]:
        """Every node to read, each once, in a stable order."""
        return tuple(dict.fromkeys(node for part in self.parts for node in part))

    def hashes(self, nodes: Mapping[NodeId, bytes] | Callable[[NodeId], bytes]) -> list[bytes]:
        """The proof, from the nodes' hashes (a mapping or a lookup function)."""
        lookup = nodes.__getitem__ if isinstance(nodes, Mapping) else nodes
        return [fold([lookup(node) for node in part]) for part in self.parts]


def _plan(ranges: list[tuple[int, int]]) -> ProofPlan:
    # Ranges were collected from the root down; proofs list them from the leaf up.
    return ProofPlan(tuple(range_nodes(start, end) for start, end in reversed(ranges)))


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """The audit path of leaf ``index`` in the tree of the first ``size`` leaves."""
    if not 0 <= index < size:
        raise BadRequest(f"leaf {index} is not in a tree of {size}", index=index, size=size)
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + split_point(end - start)
        if index < middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start = middle
    return _plan(ranges)


def consistency_plan(old_size: int, new_size: int) -> ProofPlan:
    """The proof that the tree of ``new_size`` leaves extends that of ``old_size``."""
    if not 0 < old_size <= new_size:
        raise BadRequest(
            f"no consistency proof from {old_size} to {new_size} leaves",
            old_size=old_size,
            new_size=new_size,
        )
    ranges: list[tuple[int, int]] = []
    start, end, whole = 0, new_size, True
    while end - start != old_size - start:
        middle = start + split_point(end - start)
        if old_size <= middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start, whole = middle, False
    if not whole:  # the old tree is not one of the new tree's subtrees: name its last part
        ranges.append((start, end))
    return _plan(ranges)


def root_plan(size: int) -> ProofPlan:
    """The root of the tree of the first ``size`` leaves (``size`` > 0), as a one-hash plan."""
    if size <= 0:
        raise BadRequest(f"no root plan for {size} leaves; the empty root is SHA-256('')")
    return ProofPlan((range_nodes(0, size),))
