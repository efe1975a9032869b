import dataclasses
import hashlib
import os

import pytest

from evidence.digest import (
    CHUNK_SIZE,
    READ_BUFFER_SIZE,
    Sha256,
    StreamingFingerprint,
    chunk_count,
    feed_file,
    fingerprint_file,
)
from evidence.errors import InvalidIdentifier, LengthMismatch


def expected_chunks(data: bytes, size: int) -> tuple[Sha256, ...]:
    return tuple(Sha256.of(data[i : i + size]) for i in range(0, len(data), size))


@pytest.mark.parametrize(
    "length", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 12345]
)
def test_file_fingerprint_matches_hashlib_and_chunk_slices(tmp_path, length):
    data = os.urandom(length)
    path = tmp_path / "clip.bin"
    path.write_bytes(data)
    fingerprint = fingerprint_file(path)
    assert fingerprint.size == length
    assert fingerprint.sha256.hex == hashlib.sha256(data).hexdigest()
    assert fingerprint.chunks == expected_chunks(data, CHUNK_SIZE)
    assert len(fingerprint.chunks) == chunk_count(length)


def test_feeding_in_odd_pieces_gives_the_same_fingerprint():
    data = os.urandom(300_000)
    whole = StreamingFingerprint(65536)
    whole.update(data)
    pieces = StreamingFingerprint(65536)
    position = 0
    for step in [1, 7, 65535, 2, 100_000, 65536, 10**6]:
        pieces.update(data[position : position + step])
        position += step
    assert pieces.finish() == whole.finish()


def test_update_reports_the_chunks_it_completed():
    fingerprint = StreamingFingerprint(65536, total_size=65536 * 2 + 10)
    assert fingerprint.update(bytes(65535)) == []
    assert fingerprint.update(bytes(2)) == [0]
    assert fingerprint.update(bytes(65536 - 1)) == [1]
    assert fingerprint.update(bytes(10)) == [2]  # the short last chunk closes at total_size


def test_the_agent_cuts_files_into_8_mib_chunks(tmp_path):
    """The chunk size our agent signs (docs/manifest.md): a server and a custodian
    recompute chunk digests with it, so it is a format, not a tuning knob."""
    assert CHUNK_SIZE == 8 * 1024 * 1024 == 8_388_608
    data = os.urandom(CHUNK_SIZE + 1)
    (tmp_path / "clip.bin").write_bytes(data)
    fingerprint = fingerprint_file(tmp_path / "clip.bin")
    assert fingerprint.chunk_size == 8_388_608
    assert fingerprint.chunks == (Sha256.of(data[:8_388_608]), Sha256.of(data[8_388_608:]))


def test_a_file_is_read_in_buffers_that_divide_the_chunk():
    assert CHUNK_SIZE % READ_BUFFER_SIZE == 0  # so a default read never straddles two chunks


@pytest.mark.parametrize("size", [0, -1])
def test_a_chunk_holds_at_least_one_byte(size):
    with pytest.raises(ValueError, match=r"^chunk_size must be positive"):
        StreamingFingerprint(size)


def test_one_byte_chunks_are_allowed():
    fingerprint = StreamingFingerprint(1)
    assert fingerprint.update(b"abc") == [0, 1, 2]
    assert fingerprint.finish().chunks == tuple(Sha256.of(b) for b in (b"a", b"b", b"c"))


def test_a_copy_taken_mid_chunk_goes_on_as_the_original_would():
    data = os.urandom(3 * 65536)
    whole = StreamingFingerprint(65536, total_size=len(data))
    whole.update(data)
    fingerprint = StreamingFingerprint(65536, total_size=len(data))
    fingerprint.update(data[:100_000])  # one chunk closed, the second a third full
    twin = fingerprint.copy()
    fingerprint.update(b"x" * 10)  # the original goes astray; the twin must not notice
    assert twin.update(data[100_000:]) == [1, 2]
    assert twin.position == len(data)
    assert twin.finish() == whole.finish()


def test_digests_and_fingerprints_cannot_be_altered_once_made(tmp_path):
    digest = Sha256.of(b"x")
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field"):
        digest.hex = "0" * 64  # type: ignore[misc]
    (tmp_path / "a").write_bytes(b"abc")
    fingerprint = fingerprint_file(tmp_path / "a")
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field"):
        fingerprint.size = 4  # type: ignore[misc]


def test_a_copy_is_independent_so_a_failed_write_can_be_rolled_back():
    fingerprint = StreamingFingerprint(65536)
    fingerprint.update(b"kept")
    saved = fingerprint.copy()
    fingerprint.update(b"discarded")
    assert saved.finish().sha256 == Sha256.of(b"kept")


def test_finish_is_a_look_not_an_end():
    fingerprint = StreamingFingerprint(65536)
    fingerprint.update(b"abc")
    first = fingerprint.finish()
    assert fingerprint.finish() == first
    fingerprint.update(b"def")
    assert fingerprint.finish().sha256 == Sha256.of(b"abcdef")


def test_more_bytes_than_declared_are_refused():
    fingerprint = StreamingFingerprint(65536, total_size=3)
    with pytest.raises(LengthMismatch, match=r"^4 bytes exceed the declared 3"):
        fingerprint.update(b"abcd")


def test_finishing_short_of_the_declared_size_is_refused():
    fingerprint = StreamingFingerprint(65536, total_size=10)
    fingerprint.update(b"abc")
    with pytest.raises(LengthMismatch, match=r"^got 3 bytes of the declared 10"):
        fingerprint.finish()


def test_feed_file_reads_a_prefix_and_notices_a_short_file(tmp_path):
    path = tmp_path / "part"
    path.write_bytes(b"x" * (READ_BUFFER_SIZE + 5))
    fingerprint = feed_file(StreamingFingerprint(65536), path, length=READ_BUFFER_SIZE + 1)
    assert fingerprint.position == READ_BUFFER_SIZE + 1
    with pytest.raises(LengthMismatch, match=r"^part ended 1 bytes short"):
        feed_file(StreamingFingerprint(65536), path, length=READ_BUFFER_SIZE + 6)


@pytest.mark.parametrize("bad", ["", "ABCDEF" + "0" * 58, "0" * 63, "z" * 64, 42])
def test_a_sha256_value_must_be_64_lowercase_hex(bad):
    with pytest.raises(InvalidIdentifier, match=r"^a SHA-256 is 64 lowercase hex characters"):
        Sha256(bad)


def test_a_raw_sha256_must_be_32_bytes():
    with pytest.raises(InvalidIdentifier, match=r"^a SHA-256 is 32 bytes; got 5"):
        Sha256.from_raw(b"short")


def test_a_fingerprint_resumed_from_chunk_digests_keeps_chunks_and_claims_no_whole_digest():
    """A server that did not see the first chunks carries on from their signed digests."""
    from evidence.digest import Sha256, StreamingFingerprint

    data = bytes(range(256)) * 20  # 5120 bytes: chunks of 2048, 2048, 1024
    whole = StreamingFingerprint(2048, len(data))
    whole.update(data)
    resumed = StreamingFingerprint.resumed(2048, len(data), whole.chunks[:2])
    assert resumed.position == 4096 and not resumed.whole_known
    assert resumed.update(data[4096:]) == [2]
    assert resumed.chunks == whole.chunks
    assert resumed.copy().whole_known is False
    with pytest.raises(ValueError, match="no whole-file digest"):
        resumed.finish()
    assert Sha256.of(data) == whole.finish().sha256
