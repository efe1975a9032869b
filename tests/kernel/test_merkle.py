import hashlib

import pytest

from evidence import merkle
from evidence.digest import Sha256, chunk_root

# Certificate Transparency reference inputs and the roots of their first n leaves
# (RFC 6962 §2.1; certificate-transparency/merkle_tree_test.cc, transparency-dev/merkle).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_the_empty_tree_is_the_hash_of_nothing():
    assert (
        merkle.root_of([]).hex()
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_certificate_transparency_vectors(size):
    assert merkle.root_of(CT_LEAVES[:size]).hex() == CT_ROOTS[size - 1]


def test_leaf_and_node_hashes_are_domain_separated():
    data = b"\x01" + bytes(64)
    assert merkle.leaf_hash(data) != merkle.node_hash(bytes(32), bytes(32))
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()


def test_chunk_root_takes_each_chunk_digest_as_a_leaf():
    chunks = [Sha256.of(b"a"), Sha256.of(b"b"), Sha256.of(b"c")]
    expected = merkle.root_of([chunk.raw for chunk in chunks])
    assert chunk_root(chunks).raw == expected


def test_reordering_leaves_changes_the_root():
    assert merkle.root_of(CT_LEAVES[:4]) != merkle.root_of(list(reversed(CT_LEAVES[:4])))
