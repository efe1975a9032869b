"""Checking inclusion and consistency proofs, as RFC 9162 §2.1.3.2 and §2.1.4.2 write it.

Every hash must be 32 bytes (``bad_proof``); a proof that does not reach the expected root
is refused with ``inclusion_mismatch`` or ``consistency_mismatch``. The step numbers in
the comments are the RFC's. Stricter than the RFC in one place, as transparency-dev/merkle
is: a consistency proof from the empty tree proves nothing and is refused (a verifier that
trusts an empty tree checks its root and needs no proof; see ``trust``).
"""

from __future__ import annotations

from collections.abc import Sequence

from evidence.errors import ConsistencyMismatch, InclusionMismatch, MalformedProof
from evidence.merkle import node_hash
from evidence.tlog.codec import HASH_SIZE

__all__ = [
    "root_from_consistency",
    "root_from_inclusion",
    "verify_consistency",
    "verify_inclusion",
]


def _check_sizes(*hashes: bytes) -> None:
    for value in hashes:
        if len(value) != HASH_SIZE:
            raise MalformedProof(f"a hash is {HASH_SIZE} bytes, not {len(value)}")


def _skip_right_border(fn: int, sn: int) -> tuple[int, int]:
    # Levels where the path has no right sibling (it runs along the tree's right edge).
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def root_from_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from leaf ``index`` of a tree of ``size`` leaves."""
    _check_sizes(leaf_hash, *proof)
    if not 0 <= index < size:  # 1
        raise InclusionMismatch(f"leaf {index} is not in a tree of {size}")
    fn, sn, r = index, size - 1, leaf_hash  # 2, 3
    for p in proof:  # 4
        if sn == 0:
            raise InclusionMismatch(f"the proof has more than the {len(proof)} hashes it needs")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _skip_right_border(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:  # 5
        raise InclusionMismatch("the proof has fewer hashes than the tree needs")
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise unless ``proof`` shows leaf ``index`` with this hash is in the tree ``root``."""
    _check_sizes(root)
    if root_from_inclusion(leaf_hash, index, size, proof) != root:
        raise InclusionMismatch(f"leaf {index} is not in the tree of {size} with this root")


def root_from_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes
) -> bytes:
    """The new root that ``proof`` shows extends the tree ``old_root`` of ``old_size``."""
    _check_sizes(old_root, *proof)
    if not 0 < old_size <= new_size:
        raise ConsistencyMismatch(f"no consistency proof from {old_size} to {new_size} leaves")
    if old_size == new_size:
        if proof:
            raise ConsistencyMismatch("a tree is consistent with itself by an empty proof")
        return old_root
    if not proof:  # 1
        raise ConsistencyMismatch("the proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # 2: the old tree is a subtree of the new one
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # 3
    while fn & 1:  # 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # 5
    for c in path[1:]:  # 6
        if sn == 0:
            raise ConsistencyMismatch("the proof has more hashes than the trees need")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            fn, sn = _skip_right_border(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:  # 7
        raise ConsistencyMismatch("the proof has fewer hashes than the trees need")
    if fr != old_root:
        raise ConsistencyMismatch(f"the proof does not lead to the old root of {old_size}")
    return sr


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Raise unless ``proof`` shows the tree ``new_root`` extends the tree ``old_root``."""
    _check_sizes(new_root)
    if root_from_consistency(old_size, new_size, proof, old_root) != new_root:
        raise ConsistencyMismatch(
            f"the tree of {new_size} with this root does not extend the tree of {old_size}"
        )
