"""The agent's two-thread fingerprint gives exactly the one-thread fingerprint."""

import os
import threading

import pytest

from agent import fingerprinting
from agent.fingerprinting import feed_file_two_threads, fingerprint_two_threads
from evidence.digest import CHUNK_SIZE, READ_BUFFER_SIZE, StreamingFingerprint, fingerprint_file


@pytest.mark.parametrize(
    "size",
    [0, 1, READ_BUFFER_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE - 7],
)
def test_two_threads_give_the_one_thread_fingerprint(tmp_path, size):
    path = tmp_path / "clip.bin"
    path.write_bytes(os.urandom(size))
    assert fingerprint_two_threads(path) == fingerprint_file(path)


def test_the_whole_file_digest_is_taken_on_another_thread(tmp_path, monkeypatch):
    path = tmp_path / "clip.bin"
    path.write_bytes(os.urandom(2 * CHUNK_SIZE))
    threads = set()

    class Seen(StreamingFingerprint):
        def update_whole(self, data):
            threads.add(("whole", threading.current_thread().name))
            super().update_whole(data)

        def update_chunks(self, data):
            threads.add(("chunks", threading.current_thread().name))
            return super().update_chunks(data)

    fingerprint = feed_file_two_threads(Seen(), path).finish()
    assert fingerprint == fingerprint_file(path)
    assert threads == {
        ("whole", "fingerprint-whole"),
        ("chunks", threading.current_thread().name),
    }


def test_an_error_on_the_whole_file_thread_is_raised_and_nothing_hangs(tmp_path):
    path = tmp_path / "clip.bin"
    path.write_bytes(os.urandom(3 * CHUNK_SIZE))

    class Broken(StreamingFingerprint):
        def update_whole(self, data):
            raise OSError("the hash broke")

    with pytest.raises(OSError, match="the hash broke"):
        feed_file_two_threads(Broken(), path)


def test_memory_is_the_pool_of_blocks_whatever_the_size(tmp_path, monkeypatch):
    path = tmp_path / "clip.bin"
    path.write_bytes(os.urandom(4 * CHUNK_SIZE))
    made = []
    real = bytearray

    def counting(size=0):
        made.append(size)
        return real(size)

    monkeypatch.setattr(fingerprinting, "bytearray", counting, raising=False)
    fingerprint_two_threads(path)
    assert made == [READ_BUFFER_SIZE] * fingerprinting.POOL_BLOCKS


def test_a_small_file_is_hashed_on_one_thread_through_a_buffer_of_its_size(tmp_path, monkeypatch):
    path = tmp_path / "clip.bin"
    path.write_bytes(os.urandom(512))
    made, threads = [], set()
    real = bytearray

    def counting(size=0):
        made.append(size)
        return real(size)

    class Seen(StreamingFingerprint):
        def update_whole(self, data):
            threads.add(threading.current_thread().name)
            super().update_whole(data)

    monkeypatch.setattr(fingerprinting, "bytearray", counting, raising=False)
    assert feed_file_two_threads(Seen(), path).finish() == fingerprint_file(path)
    assert made == [512]
    assert threads == {threading.current_thread().name}
