"""Copying a file off a docked camera (agent/docks/staging.py): real files, each way a
copy can be cut short or go wrong."""

import os

import pytest

from agent.docks.staging import CopyJob, copy_resumably, copy_small
from evidence.errors import BayUnavailable

MiB = 1024 * 1024


def job_for(tmp_path, data: bytes) -> CopyJob:
    source = tmp_path / "bay" / "DCIM" / "FILE0001.MP4"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    seen = source.stat()
    return CopyJob(
        source,
        tmp_path / "copying" / "cam" / "FILE0001.MP4",
        tmp_path / "staging" / "cam" / "FILE0001.MP4",
        seen.st_size,
        seen.st_mtime_ns,
    )


def test_a_whole_copy_lands_with_the_cameras_mtime_and_its_md5(tmp_path):
    import hashlib

    data = os.urandom(3 * MiB + 7)
    job = job_for(tmp_path, data)
    md5 = copy_resumably(job)
    assert job.target.read_bytes() == data and not job.partial.exists()
    assert md5 == hashlib.md5(data).hexdigest()
    assert job.target.stat().st_mtime_ns == job.mtime_ns
    assert oct(job.target.stat().st_mode & 0o777) == "0o600"
    assert job.source.read_bytes() == data, "the camera's file is only read"


def test_a_pull_keeps_the_partial_copy_and_the_copy_resumes_after_it(tmp_path):
    data = os.urandom(4 * MiB)
    job = job_for(tmp_path, data)
    moved = tmp_path / "elsewhere"

    def pull(done: int) -> None:
        if done == 2 * MiB:
            (tmp_path / "bay").rename(moved)

    with pytest.raises(BayUnavailable):
        copy_resumably(job, pull)
    assert job.partial.stat().st_size == 2 * MiB and not job.target.exists()
    moved.rename(tmp_path / "bay")
    resumed: list[int] = []
    copy_resumably(job, resumed.append)
    assert resumed[0] == 3 * MiB and job.target.read_bytes() == data


def test_a_partial_copy_that_disagrees_with_the_camera_is_started_again(tmp_path):
    data = os.urandom(2 * MiB)
    job = job_for(tmp_path, data)
    job.partial.parent.mkdir(parents=True)
    job.partial.write_bytes(os.urandom(MiB))  # not what the camera holds
    copied: list[int] = []
    copy_resumably(job, copied.append)
    assert copied[0] == MiB, "from the start"
    assert job.target.read_bytes() == data


def test_a_file_the_camera_changes_mid_copy_is_not_taken(tmp_path):
    job = job_for(tmp_path, os.urandom(2 * MiB))

    def change(done: int) -> None:
        with open(job.source, "ab") as handle:
            handle.write(b"more")

    with pytest.raises(BayUnavailable, match="changed"):
        copy_resumably(job, change)
    assert not job.target.exists()


def test_staging_never_writes_over_a_file(tmp_path):
    job = job_for(tmp_path, b"footage")
    job.target.parent.mkdir(parents=True)
    job.target.write_bytes(b"earlier footage")
    with pytest.raises(FileExistsError):
        copy_resumably(job)
    assert job.target.read_bytes() == b"earlier footage"


def test_a_sidecar_is_copied_whole_and_private(tmp_path):
    (tmp_path / "clip.xml").write_text("<FileInfo/>")
    copy_small(tmp_path / "clip.xml", tmp_path / "staged" / "clip.xml")
    assert (tmp_path / "staged" / "clip.xml").read_text() == "<FileInfo/>"
    with pytest.raises(BayUnavailable):
        copy_small(tmp_path / "gone.xml", tmp_path / "staged" / "gone.xml")
