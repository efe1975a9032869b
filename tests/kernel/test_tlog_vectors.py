"""The custody log's Merkle proofs against the Certificate Transparency known answers.

The test tree is RFC 6962's eight leaves, as certificate-transparency's merkle_tree_test.cc
and transparency-dev/merkle use them. Sources, each cited where used:
- node and root hashes: transparency-dev/merkle testonly/constants.go (NodeHashes,
  RootHashes, CompactTrees);
- proofs: transparency-dev/merkle proof/verify_test.go before commit bcba819 (its
  inclusionProofs and consistencyProofs tables; leaf numbers there are 1-based);
- probes, good and bad: transparency-dev/merkle testdata/{inclusion,consistency}, copied
  into vectors/transparency-dev-merkle.json with their paths and commit.
"""

import base64
import json
from pathlib import Path

import pytest

from evidence import merkle
from evidence.errors import ConsistencyMismatch, InclusionMismatch, LiuhenError, MalformedProof
from evidence.tlog.compact import CompactRange
from evidence.tlog.nodes import EMPTY_ROOT, NodeId
from evidence.tlog.prove import consistency_plan, inclusion_plan
from evidence.tlog.verify import verify_consistency, verify_inclusion

LEAF_HEX = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]
LEAF_HEX.append("606162636465666768696a6b6c6d6e6f")
LEAVES = [bytes.fromhex(h) for h in LEAF_HEX]
# testonly/constants.go NodeHashes: [level][index].
NODES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
# testonly/constants.go RootHashes, by tree size from 0.
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# testonly/constants.go CompactTrees: the peaks of each size, as (level, index).
PEAKS = [[], [(0, 0)], [(1, 0)], [(1, 0), (0, 2)], [(2, 0)], [(2, 0), (0, 4)]]
PEAKS += [[(2, 0), (1, 2)], [(2, 0), (1, 2), (0, 6)], [(3, 0)]]
# proof/verify_test.go before bcba819: (leaf, size, proof) with 1-based leaf numbers.
INCLUSION = [
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (3, 3, ["fac54203"]),
    (2, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]
ALL_NODES = {h[:8]: bytes.fromhex(h) for level in NODES for h in level}


def grow():
    """Append the eight leaves one by one; return each size's range and every stored node."""
    ranges, stored = [CompactRange()], {}
    for leaf in LEAVES:
        grown, completed = ranges[-1].append(merkle.leaf_hash(leaf))
        ranges.append(grown)
        stored.update(completed)
    return ranges, stored


def test_appending_leaves_gives_every_known_root_and_stores_every_complete_subtree():
    ranges, stored = grow()
    assert [r.root().hex() for r in ranges] == ROOTS
    assert EMPTY_ROOT.hex() == ROOTS[0]
    assert stored == {
        NodeId(level, index): bytes.fromhex(h)
        for level, row in enumerate(NODES)
        for index, h in enumerate(row)
    }
    for size, peaks in enumerate(PEAKS):
        assert CompactRange.node_ids(size) == tuple(NodeId(*p) for p in peaks)
        assert CompactRange.from_nodes(size, stored.__getitem__) == ranges[size]


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_proofs_are_the_known_ones(leaf, size, proof):
    _, stored = grow()
    expected = [ALL_NODES[prefix] for prefix in proof]
    assert inclusion_plan(leaf - 1, size).hashes(stored) == expected
    leaf_hash = merkle.leaf_hash(LEAVES[leaf - 1])
    verify_inclusion(leaf_hash, leaf - 1, size, expected, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_are_the_known_ones(old, new, proof):
    _, stored = grow()
    expected = [ALL_NODES[prefix] for prefix in proof]
    assert consistency_plan(old, new).hashes(stored) == expected
    verify_consistency(old, new, expected, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]))


PROBES = json.loads(
    (Path(__file__).parent / "vectors" / "transparency-dev-merkle.json").read_text()
)
# One probe passes there and is refused here: its roots are 14-byte placeholders, and we
# refuse any hash that is not 32 bytes before looking further.
STRICTER = {"testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}


def b64(value):
    return base64.b64decode(value)


def outcome(check):
    try:
        check()
    except (InclusionMismatch, ConsistencyMismatch, MalformedProof) as exc:
        return exc
    return None


@pytest.mark.parametrize("probe", PROBES["inclusion"], ids=lambda p: p["path"][9:])
def test_inclusion_probes(probe):
    error = outcome(
        lambda: verify_inclusion(
            b64(probe["leafHash"]),
            probe["leafIdx"],
            probe["treeSize"],
            [b64(h) for h in probe["proof"] or []],  # Go writes nil as null
            b64(probe["root"]),
        )
    )
    assert (error is not None) == probe["wantErr"], (probe["desc"], error)


@pytest.mark.parametrize("probe", PROBES["consistency"], ids=lambda p: p["path"][9:])
def test_consistency_probes(probe):
    error = outcome(
        lambda: verify_consistency(
            probe["size1"],
            probe["size2"],
            [b64(h) for h in probe["proof"] or []],  # Go writes nil as null
            b64(probe["root1"]),
            b64(probe["root2"]),
        )
    )
    if probe["path"] in STRICTER:
        assert isinstance(error, MalformedProof) and error.code == "bad_proof"
    else:
        assert (error is not None) == probe["wantErr"], (probe["desc"], error)


def test_the_probes_cover_both_outcomes():
    for kind in ("inclusion", "consistency"):
        wanted = {probe["wantErr"] for probe in PROBES[kind]}
        assert wanted == {True, False} and len(PROBES[kind]) > 90


def test_refusals_carry_their_codes():
    with pytest.raises(LiuhenError) as caught:
        verify_inclusion(bytes(32), 0, 1, [], b"\x01" * 32)
    assert caught.value.code == "inclusion_mismatch"
    with pytest.raises(ConsistencyMismatch, match="empty"):
        verify_consistency(1, 2, [], bytes(32), bytes(32))


def test_a_proof_longer_than_the_tree_is_deep_is_refused_as_the_rfc_says():
    # RFC 9162 §2.1.3.2 step 4a and §2.1.4.2 step 6a: stop when the path reaches the root.
    _, stored = grow()
    proof = inclusion_plan(0, 8).hashes(stored)
    with pytest.raises(InclusionMismatch, match="more than"):
        verify_inclusion(merkle.leaf_hash(LEAVES[0]), 0, 8, [*proof, proof[0]], bytes(32))
    proof = consistency_plan(6, 8).hashes(stored)
    with pytest.raises(ConsistencyMismatch, match="more hashes"):
        verify_consistency(6, 8, [*proof, proof[0]], bytes(32), bytes(32))
