"""Every proof of every tree up to 64 leaves verifies, and every damaged one is refused.

A damaged proof: one bit of one hash flipped (every bit, for trees up to 16 leaves; one
bit per hash, at a moving position, above), one hash replaced, a hash dropped from either
end, one added at either end or repeated, two neighbours swapped; checked against another
index, or against another size with that size's root. Proofs are made from stored nodes
as the log will make them, with a count of the nodes each one read.
"""

import hashlib

import pytest

from evidence import merkle
from evidence.errors import ConsistencyMismatch, InclusionMismatch
from evidence.tlog.compact import CompactRange
from evidence.tlog.prove import consistency_plan, inclusion_plan, root_plan
from evidence.tlog.verify import verify_consistency, verify_inclusion

MAX_SIZE = 64
ALL_BITS_UP_TO = 16


def build(size):
    leaves = [merkle.leaf_hash(hashlib.sha256(b"leaf %d" % i).digest()) for i in range(size)]
    ranges, stored = [CompactRange()], {}
    for leaf in leaves:
        grown, completed = ranges[-1].append(leaf)
        ranges.append(grown)
        stored.update(completed)
    return leaves, [r.root() for r in ranges], stored


LEAVES, ROOTS, STORED = build(MAX_SIZE)


def flip(value, bit):
    return bytes(b ^ (1 << bit % 8) if i == bit // 8 else b for i, b in enumerate(value))


def damaged(proof, size):
    """Every damaged copy of ``proof`` we try (``size`` picks how many bits to flip)."""
    for n, value in enumerate(proof):
        before, after = proof[:n], proof[n + 1 :]
        bits = range(256) if size <= ALL_BITS_UP_TO else [(37 * n + size) % 256]
        for bit in bits:
            yield [*before, flip(value, bit), *after]
        yield [*before, hashlib.sha256(value).digest(), *after]
        if n:
            yield [*before[:-1], value, before[-1], *after]
    extra = hashlib.sha256(b"extra").digest()
    yield [extra, *proof]
    yield [*proof, extra]
    if proof:
        yield proof[1:]
        yield proof[:-1]
        yield [*proof, proof[-1]]
        yield [proof[0], *proof]


def refused(error, check, *args):
    with pytest.raises(error):
        check(*args)


def check_inclusion(size, index):
    root, leaf = ROOTS[size], LEAVES[index]
    plan = inclusion_plan(index, size)
    assert len(plan.node_ids) <= 2 * max(1, size.bit_length())
    proof = plan.hashes(STORED)
    verify_inclusion(leaf, index, size, proof, root)
    for bad in damaged(proof, size):
        refused(InclusionMismatch, verify_inclusion, leaf, index, size, bad, root)
    for other in set(range(size + 2)) - {index}:
        refused(InclusionMismatch, verify_inclusion, leaf, other, size, proof, root)
    for other in set(range(1, MAX_SIZE + 1)) - {size}:
        refused(InclusionMismatch, verify_inclusion, leaf, index, other, proof, ROOTS[other])
    refused(InclusionMismatch, verify_inclusion, flip(leaf, 0), index, size, proof, root)


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_every_inclusion_proof_verifies_and_every_damaged_one_is_refused(size):
    for index in range(size):
        check_inclusion(size, index)


def check_consistency(old, new):
    plan = consistency_plan(old, new)
    assert len(plan.node_ids) <= 2 * new.bit_length()
    proof = plan.hashes(STORED)
    verify_consistency(old, new, proof, ROOTS[old], ROOTS[new])
    for bad in damaged(proof, new):
        refused(ConsistencyMismatch, verify_consistency, old, new, bad, ROOTS[old], ROOTS[new])
    for other in set(range(1, new + 1)) - {old}:
        refused(
            ConsistencyMismatch, verify_consistency, other, new, proof, ROOTS[other], ROOTS[new]
        )
    for other in set(range(old, MAX_SIZE + 1)) - {new}:
        refused(
            ConsistencyMismatch, verify_consistency, old, other, proof, ROOTS[old], ROOTS[other]
        )
    wrong_old, wrong_new = flip(ROOTS[old], 9), flip(ROOTS[new], 9)
    refused(ConsistencyMismatch, verify_consistency, old, new, proof, wrong_old, ROOTS[new])
    refused(ConsistencyMismatch, verify_consistency, old, new, proof, ROOTS[old], wrong_new)


@pytest.mark.parametrize("new", range(1, MAX_SIZE + 1))
def test_every_consistency_proof_verifies_and_every_damaged_one_is_refused(new):
    for old in range(1, new + 1):
        check_consistency(old, new)


def test_the_root_of_every_past_size_comes_from_stored_nodes():
    for size in range(1, MAX_SIZE + 1):
        assert root_plan(size).hashes(STORED) == [ROOTS[size]]
        assert ROOTS[size] == merkle.root_from_leaf_hashes(LEAVES[:size])
        assert CompactRange.from_nodes(size, STORED.__getitem__).root() == ROOTS[size]


def test_about_two_nodes_are_stored_per_leaf():
    assert len(STORED) == 2 * MAX_SIZE - 1
