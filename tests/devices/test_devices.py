"""The simulator makes real footage; sidecars are read strictly but never fatally."""

from datetime import datetime, timedelta, timezone

import av
import pytest

from devices.sidecar import (
    MAX_SIDECAR_BYTES,
    BadSidecar,
    CheckValue,
    Sidecar,
    find_sidecar,
    read_sidecar,
    write_sidecar,
)
from devices.simulator import BodyCamera

CHINA = timezone(timedelta(hours=8))


def test_a_camera_records_h264_and_aac_with_real_timestamps(tmp_path):
    started = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
    clip = BodyCamera(tmp_path / "bay").record(started_at=started, seconds=2, width=320, height=240)
    with av.open(str(clip.media)) as container:
        codecs = sorted(stream.codec_context.name for stream in container.streams)
        assert codecs == ["aac", "h264"]
        assert abs(container.duration / 1_000_000 - 2.0) < 0.1
        assert container.metadata["creation_time"].startswith("2026-03-12T01:30:00")
    assert read_sidecar(clip.sidecar) == clip.metadata
    assert find_sidecar(clip.media) == clip.sidecar


def test_sidecars_round_trip(tmp_path):
    sidecar = Sidecar(
        officer_id="1", case_number="JSZF-2026-0001", started_at=datetime(2026, 1, 1, tzinfo=CHINA)
    )
    write_sidecar(tmp_path / "a.json", sidecar)
    assert read_sidecar(tmp_path / "a.json") == sidecar


def test_unknown_sidecar_fields_are_ignored(tmp_path):
    (tmp_path / "a.json").write_text('{"officer_id": "7", "gps": [38.0, 114.5], "battery": 80}')
    assert read_sidecar(tmp_path / "a.json") == Sidecar(officer_id="7")


@pytest.mark.parametrize(
    "content",
    [
        b"{",  # truncated
        b"[1, 2]",
        b'{"officer_id": 7}',
        b'{"officer_id": ""}',
        b'{"started_at": "yesterday"}',
        b'{"started_at": "2026-03-12T09:30:00"}',  # no offset: ambiguous
        b'{"started_at": "0001-01-01T00:00:00+08:00"}',  # before 1900: a manifest refuses it
        b'{"session_id": "room-1", "segment": 1000001}',  # past a session's last segment
        b'{"place": "a", "place": "b"}',
        b"\xff\xfe{}",
    ],
)
def test_malformed_sidecars_are_refused_with_a_clear_error(tmp_path, content):
    (tmp_path / "a.json").write_bytes(content)
    with pytest.raises(BadSidecar, match=r"^sidecar ") as caught:
        read_sidecar(tmp_path / "a.json")
    assert caught.value.code == "bad_sidecar"


def test_an_oversized_sidecar_is_refused_without_reading_it_all(tmp_path):
    (tmp_path / "a.json").write_bytes(b'{"place": "' + b"x" * MAX_SIDECAR_BYTES + b'"}')
    with pytest.raises(BadSidecar, match="larger"):
        read_sidecar(tmp_path / "a.json")


def test_either_sidecar_name_is_found(tmp_path):
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"x")
    assert find_sidecar(media) is None
    (tmp_path / "clip.json").write_text("{}")
    assert find_sidecar(media) == tmp_path / "clip.json"
    (tmp_path / "clip.mp4.json").write_text("{}")
    assert find_sidecar(media) == tmp_path / "clip.mp4.json"


def test_the_json_shape_carries_the_mark_the_check_value_and_the_clocks(tmp_path):
    (tmp_path / "a.json").write_text(
        '{"important": true, "check_value": {"algorithm": "SHA-256", "value": "'
        + "AB" * 32
        + '"}, "camera_clock": "2026-03-12T10:05:11+08:00",'
        ' "station_clock": "2026-03-12T10:02:10+08:00"}'
    )
    sidecar = read_sidecar(tmp_path / "a.json")
    assert sidecar.important and sidecar.check_value == CheckValue("sha256", "ab" * 32)
    assert sidecar.camera_clock - sidecar.station_clock == timedelta(minutes=3, seconds=1)
    write_sidecar(tmp_path / "b.json", sidecar)
    assert read_sidecar(tmp_path / "b.json") == sidecar


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b'{"important": "yes"}', "important"),
        (b'{"check_value": "md5:abc"}', "check_value"),
        (b'{"check_value": {"algorithm": "md5", "value": "xyz"}}', "check_value"),
        (b'{"check_value": {"algorithm": "crc32", "value": "414fa339"}}', "check_value"),
        (b'{"camera_clock": "2026-03-12T10:05:11"}', "camera_clock"),
        (b'{"station_clock": 1773280930}', "station_clock"),
        (b'{"officer_id": 7}', "officer_id"),
    ],
)
def test_a_bad_field_is_named_with_its_file(tmp_path, content, field):
    (tmp_path / "clip.json").write_bytes(content)
    with pytest.raises(BadSidecar) as caught:
        read_sidecar(tmp_path / "clip.json")
    assert caught.value.details == {"file": "clip.json", "field": field}
    assert "clip.json" in caught.value.message and field in caught.value.message
