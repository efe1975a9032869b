"""A PATCH's landing in a local partial file: bytes at the committed offset, written back
and dropped from the page cache as they go, durable at ``make_durable``."""

import os

from storage.durable import drop_cached, start_writeback
from storage.local_uploads import FileLanding

BLOCK = 256 * 1024


def test_a_landing_writes_its_blocks_at_the_offset_and_keeps_them_through_the_drop(tmp_path):
    path = tmp_path / "upload.part"
    length = 8 * BLOCK
    with open(path, "wb") as out:
        os.posix_fallocate(out.fileno(), 0, length)
    offset = BLOCK + 123  # a committed offset need not be aligned to anything
    blocks = [os.urandom(BLOCK) for _ in range(4)] + [os.urandom(777)]
    handle = open(path, "r+b", buffering=0)  # noqa: SIM115 - the landing closes it
    handle.seek(offset)
    landing = FileLanding(handle, offset)
    for block in blocks:
        landing.write([block[:1000], block[1000:]])  # several pieces per block, as received
    assert landing.make_durable() == sum(map(len, blocks))
    landing.close()
    data = path.read_bytes()
    assert len(data) == length  # allocated at its full length: no size change
    assert data[offset : offset + sum(map(len, blocks))] == b"".join(blocks)
    assert data[:offset] == bytes(offset)  # nothing before the offset was touched


def test_writeback_hints_take_empty_and_whole_ranges(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10_000)
    fd = os.open(path, os.O_RDWR)
    try:
        start_writeback(fd, 0, 0)
        drop_cached(fd, 0, 0)
        start_writeback(fd, 0, 10_000)
        drop_cached(fd, 0, 10_000)
    finally:
        os.close(fd)
    assert path.read_bytes() == b"x" * 10_000


def landing_at(path, length: int, offset: int) -> FileLanding:
    with open(path, "wb") as out:
        os.posix_fallocate(out.fileno(), 0, length)
    handle = open(path, "r+b", buffering=0)  # noqa: SIM115 - the landing closes it
    handle.seek(offset)
    return FileLanding(handle, offset)


def test_a_block_of_more_pieces_than_one_writev_takes_is_written_whole(tmp_path):
    """A slow link's block is thousands of tiny pieces; writev takes at most IOV_MAX."""
    path = tmp_path / "upload.part"
    pieces = [os.urandom(16) for _ in range(3000)]
    landing = landing_at(path, 4 * BLOCK, 10)
    landing.write(pieces)
    assert landing.make_durable() == 16 * 3000
    landing.close()
    assert path.read_bytes()[10 : 10 + 16 * 3000] == b"".join(pieces)


def test_a_short_writev_is_finished_piece_by_piece(tmp_path, monkeypatch):
    """A regular file rarely takes less than asked; when it does, nothing is lost."""
    path = tmp_path / "upload.part"
    pieces = [os.urandom(1000), os.urandom(3000), memoryview(os.urandom(500))]
    real_writev = os.writev

    def short(fd, buffers):  # takes the first piece and a half of the second
        return real_writev(fd, [buffers[0], memoryview(buffers[1])[:1500]])

    monkeypatch.setattr(os, "writev", short)
    landing = landing_at(path, 2 * BLOCK, 7)
    landing.write(pieces)
    assert landing.make_durable() == 4500
    landing.close()
    assert path.read_bytes()[7 : 7 + 4500] == b"".join(bytes(piece) for piece in pieces)
