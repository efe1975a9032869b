"""The package's verify.py carries its own copy of the RFC 6962 / RFC 9162 hashing (it may
import nothing of Liuhen): it must agree with the kernel's on every proof of every tree
up to 40 leaves, on changed proofs, and on chunk roots."""

from __future__ import annotations

import os

from evidence import merkle
from evidence.digest import Sha256, chunk_root
from evidence.errors import InclusionMismatch
from evidence.package import verify_package as standalone
from evidence.tlog.verify import root_from_inclusion


def _proof(leaves: list[bytes], index: int) -> list[bytes]:
    """The audit path of RFC 9162 §2.1.3.1, from the leaf up."""
    if len(leaves) == 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if index < k:
        return [*_proof(leaves[:k], index), merkle.root_from_leaf_hashes(leaves[k:])]
    return [*_proof(leaves[k:], index - k), merkle.root_from_leaf_hashes(leaves[:k])]


def test_inclusion_agrees_with_the_kernel_on_every_proof_and_every_change():
    for size in range(1, 41):
        leaves = [merkle.leaf_hash(bytes([n])) for n in range(size)]
        root = merkle.root_from_leaf_hashes(leaves)
        for index in range(size):
            proof = _proof(leaves, index)
            assert standalone.inclusion_root(leaves[index], index, size, proof) == root
            assert root_from_inclusion(leaves[index], index, size, proof) == root
            for changed in (proof[:-1], [*proof, root], [os.urandom(32), *proof[1:]]):
                if changed == proof:
                    continue
                mine = standalone.inclusion_root(leaves[index], index, size, changed)
                try:
                    kernel: bytes | None = root_from_inclusion(leaves[index], index, size, changed)
                except InclusionMismatch:
                    kernel = None
                assert mine == kernel and mine != root


def test_chunk_roots_and_hashes_agree_with_the_kernel():
    for count in range(1, 20):
        chunks = [Sha256.of(os.urandom(8)) for _ in range(count)]
        assert standalone.chunk_root([c.hex for c in chunks]) == chunk_root(chunks).hex
    assert standalone.node_hash(b"a", b"b") == merkle.node_hash(b"a", b"b")
