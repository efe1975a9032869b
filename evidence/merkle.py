"""RFC 6962 Merkle tree hashing (the Certificate Transparency tree, also RFC 9162 §2.1).

    leaf hash  = SHA-256(0x00 || leaf data)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256("")
    MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n

Liuhen folds each file's chunk digests into a root with this: the leaf data of chunk i
is the 32-byte SHA-256 of that chunk, so anyone holding the chunk list can recompute the
root, and anyone holding a chunk can check it with plain ``sha256sum``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["leaf_hash", "node_hash", "root_from_leaf_hashes", "root_of"]

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaves whose leaf hashes are already computed."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = _split_point(len(hashes))
    return node_hash(root_from_leaf_hashes(hashes[:k]), root_from_leaf_hashes(hashes[k:]))


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH over raw leaf data."""
    return root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves])
