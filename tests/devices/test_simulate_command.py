"""``liuhen devices simulate``: test footage from the command line, probed as real media,
with sidecars the agent reads."""

import hashlib
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from agent.media.probe import probe
from devices.sidecar import find_sidecar, read_sidecar
from liuhen.cli import main

CHINA = timezone(timedelta(hours=8))
CASE = "冀石执罚〔2026〕第0012号"


def test_a_newcomer_records_clips_into_a_bay_from_the_command_line(tmp_path):
    bay = tmp_path / "dock" / "bay-1"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "liuhen.cli",
            "devices",
            "simulate",
            "--into",
            str(bay),
            "--clips",
            "2",
            "--seconds",
            "2.5",
            "--case-number",
            CASE,
            "--officer",
            "130102009",
            "--place",
            "石家庄市长安区中山东路12号",
            "--start",
            "2026-03-12T09:30:00+08:00",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    clips = sorted(bay.glob("*.MP4"))
    assert [line.split()[0] for line in result.stdout.splitlines()] == [str(c) for c in clips]
    assert len(clips) == 2
    for n, clip in enumerate(clips):
        media = probe(clip)
        assert media.decodable and media.has_video and media.has_audio, media.problem
        assert media.duration_ms is not None and abs(media.duration_ms - 2500) <= 100
        sidecar = find_sidecar(clip)
        assert sidecar is not None
        claims = read_sidecar(sidecar)
        assert (claims.case_number, claims.officer_id, claims.place) == (
            CASE,
            "130102009",
            "石家庄市长安区中山东路12号",
        )
        start = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA) + n * timedelta(seconds=7.5)
        assert (claims.started_at, claims.ended_at) == (start, start + timedelta(seconds=2.5))


@pytest.mark.parametrize("kind", ["truncated", "empty", "not-media", "undecodable"])
def test_broken_footage_on_purpose_with_its_sidecar(tmp_path, capsys, kind):
    bay = tmp_path / "bay"
    argv = ["devices", "simulate", "--into", str(bay), "--clips", "1", "--seconds", "2"]
    assert main([*argv, "--broken", kind]) == 0
    [clip] = bay.glob("*.MP4")
    media = probe(clip)
    assert not media.decodable and media.problem
    claims = read_sidecar(clip.with_suffix(".json"))
    assert claims.ended_at - claims.started_at == timedelta(seconds=2)
    assert f"broken on purpose: {kind}" in capsys.readouterr().out


def test_an_interview_room_session_is_written_as_numbered_segments(tmp_path):
    argv = ["devices", "simulate", "--into", str(tmp_path), "--clips", "3", "--seconds", "1"]
    assert main([*argv, "--room-session", "--session-id", "room1-0930", "--officer", "7"]) == 0
    segments = sorted((tmp_path / "room1-0930").glob("*.mp4"))
    assert len(segments) == 3
    for index, segment in enumerate(segments, start=1):
        media = probe(segment)
        assert media.decodable and media.duration_ms is not None
        assert abs(media.duration_ms - 1000) <= 100
        claims = read_sidecar(segment.with_suffix(".json"))
        assert (claims.session_id, claims.segment, claims.officer_id) == ("room1-0930", index, "7")


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--case-number", "第12号"], "error [bad_case_number]"),
        (["--start", "2026-03-12T09:30:00"], "error [bad_request]: --start"),
    ],
)
def test_bad_claims_are_refused_before_anything_is_written(tmp_path, capsys, extra, said):
    assert main(["devices", "simulate", "--into", str(tmp_path / "bay"), *extra]) == 2
    assert capsys.readouterr().err.startswith(said)
    assert not (tmp_path / "bay").exists()


@pytest.mark.parametrize("extra", [["--clips", "0"], ["--seconds", "-1"], ["--broken", "odd"]])
def test_impossible_requests_are_usage_errors(tmp_path, extra):
    with pytest.raises(SystemExit, match=r"^2$") as exited:
        main(["devices", "simulate", "--into", str(tmp_path), *extra])
    assert exited.value.code == 2


@pytest.mark.parametrize("extra", [[], ["--room-session", "--session-id", "room1"]])
def test_the_simulator_never_writes_over_footage(tmp_path, capsys, extra):
    argv = ["devices", "simulate", "--into", str(tmp_path), "--clips", "1", "--seconds", "1"]
    again = [*argv, "--start", "2026-03-12T09:30:00+08:00", *extra]
    assert main(again) == 0
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert main(again) == 2
    assert "never writes over footage" in capsys.readouterr().err
    assert {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()} == before


def test_a_docked_camera_with_xml_sidecars_its_digest_and_a_fast_clock(tmp_path, capsys):
    from devices.sidecar import CheckValue
    from devices.sidecars import load_sidecar

    bay = tmp_path / "mnt" / "bay-1"
    bay.mkdir(parents=True)  # an empty mount point
    argv = ["devices", "simulate", "--into", str(bay), "--clips", "2", "--seconds", "1"]
    extra = ["--sidecar", "xml", "--check-value", "md5", "--important", "--clock-offset", "180"]
    assert main([*argv, *extra, "--dock"]) == 0
    out = capsys.readouterr().out
    clips = sorted(bay.glob("DCIM/100MEDIA/*.MP4"))
    assert len(clips) == 2 and f"camera BWC-00042 docked in {bay}" in out
    assert [p.name for p in bay.parent.iterdir()] == ["bay-1"], "the camera's storage moved whole"
    for clip in clips:
        found = load_sidecar(clip)
        assert found.shape == "xml" and found.sidecar.important
        digest = hashlib.md5(clip.read_bytes()).hexdigest()
        assert found.sidecar.check_value == CheckValue("md5", digest)
        ahead = found.sidecar.camera_clock - datetime.now(UTC)
        assert timedelta(seconds=170) < ahead < timedelta(seconds=190)
    assert main([*argv, "--dock"]) == 2
    assert "holds a camera already" in capsys.readouterr().err


@pytest.mark.parametrize("shape", ["json", "xml"])
def test_malformed_and_wrong_sidecars_on_purpose(tmp_path, shape):
    from devices.sidecars import load_sidecar

    argv = ["devices", "simulate", "--into", str(tmp_path), "--clips", "1", "--seconds", "1"]
    assert main([*argv, "--sidecar", shape, "--malformed-sidecar"]) == 0
    [clip] = tmp_path.glob("*.MP4")
    found = load_sidecar(clip)
    assert found.sidecar is None and found.problem.code == "bad_sidecar"
    field = "CollectTime" if shape == "xml" else "started_at"
    assert found.problem.details["field"] == field
    clip.unlink()
    found.path.unlink()
    assert main([*argv, "--sidecar", shape, "--check-value", "sha256", "--wrong-check-value"]) == 0
    [clip] = tmp_path.glob("*.MP4")
    claimed = load_sidecar(clip).sidecar.check_value
    assert claimed.value != hashlib.sha256(clip.read_bytes()).hexdigest()
