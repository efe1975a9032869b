"""The local write-once store."""

import errno
import hashlib
import os
import stat

import pytest

from evidence.digest import Sha256
from evidence.errors import StorageFailure
from storage import local_blobs
from storage.local_blobs import LocalBlobStore


def put(store, tmp_path, data: bytes, name: str = "upload.part") -> str:
    source = tmp_path / name
    source.write_bytes(data)
    return store.put_file(source, Sha256.of(data), len(data))


def test_objects_are_named_by_digest_read_only_and_leave_the_source_alone(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"footage")
    digest = hashlib.sha256(b"footage").hexdigest()
    assert locator == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    path = store.path_of(locator)
    assert stat.S_IMODE(path.stat().st_mode) == 0o400  # read-only, for the service user alone
    assert b"".join(store.read(locator, 3)) == b"footage"
    assert (tmp_path / "upload.part").exists()
    assert store.size(locator) == 7


def test_storing_the_same_bytes_again_is_a_no_op(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    first = put(store, tmp_path, b"same", "a.part")
    second = put(store, tmp_path, b"same", "b.part")
    assert first == second
    assert len([p for p in (tmp_path / "store").rglob("*") if p.is_file()]) == 1


def test_a_damaged_stored_copy_is_never_overwritten(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"original bytes")
    path = store.path_of(locator)
    path.chmod(0o644)
    path.write_bytes(b"short")  # damaged by someone else
    with pytest.raises(StorageFailure, match="damaged"):
        put(store, tmp_path, b"original bytes", "again.part")
    assert path.read_bytes() == b"short", "the damaged copy stays as evidence of the damage"


def test_across_file_systems_the_bytes_are_copied_and_synced(tmp_path, monkeypatch):
    """A unit test with os.link failing as it does across devices; the real-part path
    (same file system, hard link) is covered above."""
    real_link = os.link
    calls = []

    def link(source, target, *args, **kwargs):
        calls.append(source)
        if len(calls) == 1:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_link(source, target, *args, **kwargs)

    monkeypatch.setattr(local_blobs.os, "link", link)
    store = LocalBlobStore(tmp_path / "store")
    locator = put(store, tmp_path, b"copied")
    assert b"".join(store.read(locator, 100)) == b"copied"
    assert not list((store.path_of(locator).parent).glob(".incoming-*"))


@pytest.mark.parametrize("locator", ["../../etc/passwd", "sha256/aa/bb/xyz", "/abs/path"])
def test_foreign_locators_are_refused(tmp_path, locator):
    store = LocalBlobStore(tmp_path / "store")
    with pytest.raises(StorageFailure, match="not a local-store locator"):
        list(store.read(locator, 10))


def test_missing_objects_have_no_size_and_cannot_be_read(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    locator = store.locator_for(Sha256.of(b"never stored"))
    assert store.size(locator) is None
    with pytest.raises(StorageFailure, match="cannot read sha256/"):
        list(store.read(locator, 10))


def test_a_range_of_the_stored_bytes_is_read_without_the_rest(tmp_path):
    store = LocalBlobStore(tmp_path / "store")
    data = os.urandom(300_000)
    locator = put(store, tmp_path, data)
    assert b"".join(store.read_range(locator, 1000, 5000, 4096)) == data[1000:6000]
    assert b"".join(store.read_range(locator, len(data) - 10, 100)) == data[-10:]
    assert b"".join(store.read_range(locator, len(data) + 10, 100)) == b""
