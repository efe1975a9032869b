"""How an upload kept in S3 is cut into parts: whole chunks, at least 5 MiB (S3's smallest
part but the last), at most 10,000 parts (S3's most)."""

import pytest

from storage.s3_uploads import MAX_PARTS, MIN_PART, part_size

MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("chunk_size", "length", "expected"),
    [
        (8 * MIB, 100 * MIB, 8 * MIB),  # the agent's chunk is one part
        (8 * MIB, 1, 8 * MIB),
        (MIB, 100 * MIB, 5 * MIB),
        (64 * 1024, 10 * MIB, 80 * 64 * 1024),
        (3 * MIB, 100 * MIB, 6 * MIB),
        (64 * MIB, 100 * MIB, 64 * MIB),
        (8 * MIB, 100_000 * MIB, 16 * MIB),  # 12,500 chunks: two per part
    ],
)
def test_parts_are_whole_chunks_big_enough_and_few_enough(chunk_size, length, expected):
    size = part_size(chunk_size, length)
    assert size == expected
    assert size % chunk_size == 0 and size >= MIN_PART
    assert -(-length // size) <= MAX_PARTS
