"""The XML sidecar shape: the modelled vendor samples read as the same facts the JSON shape
carries; malformed and hostile ones are refused naming the file and the element."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from devices.sidecar import BadSidecar, CheckValue, Sidecar, find_sidecar
from devices.sidecar_xml import read_xml_sidecar, write_xml_sidecar
from devices.sidecars import load_sidecar

SAMPLES = Path(__file__).parent / "samples"
CHINA = timezone(timedelta(hours=8))


def test_a_sha256_sample_reads_as_what_the_dock_knew():
    sidecar = read_xml_sidecar(SAMPLES / "gat947-sha256.xml")
    assert sidecar == Sidecar(
        device_model="DSJ-V9",
        device_serial="DSJ-V9-2025A0042",
        officer_id="130102001",
        officer_name="张伟",
        case_number="冀石执罚〔2026〕第0012号",
        place="石家庄市长安区中山东路12号",
        proves="查封现场物品清点过程",
        started_at=datetime(2026, 3, 12, 9, 30, 15, tzinfo=CHINA),
        ended_at=datetime(2026, 3, 12, 9, 41, 2, tzinfo=CHINA),
        important=True,
        check_value=CheckValue(
            "sha256", "8a0b4f1c5e2d3a697b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"
        ),
        camera_clock=datetime(2026, 3, 12, 10, 5, 11, tzinfo=CHINA),
        station_clock=datetime(2026, 3, 12, 10, 2, 10, tzinfo=CHINA),
    )


def test_a_gb2312_sample_with_an_md5_reads_too():
    raw = (SAMPLES / "gat947-md5-gb2312.xml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GB2312, as the dock wrote it
    sidecar = read_xml_sidecar(SAMPLES / "gat947-md5-gb2312.xml")
    assert (sidecar.officer_name, sidecar.place) == ("李娜", "石家庄市桥西区自强路")
    assert sidecar.check_value == CheckValue("md5", "9e107d9d372bb6826bd81d3542a419d6")
    assert sidecar.started_at == datetime(2026, 3, 12, 14, 30, tzinfo=CHINA)
    assert not sidecar.important and sidecar.station_clock is None


@pytest.mark.parametrize(
    ("sample", "field", "words"),
    [
        ("malformed-collect-time.xml", "CollectTime", "with offset"),
        ("malformed-check-value.xml", "CheckValue", "32 hex digits"),
        ("malformed-check-type.xml", "CheckValue", "md5 or sha256"),
        ("malformed-important-flag.xml", "ImportantFlag", "0 or 1"),
        ("malformed-duplicate.xml", "PoliceId", "twice"),
        ("malformed-root.xml", "DeviceList", "root element"),
        ("malformed-not-well-formed.xml", None, "not well-formed"),
        ("malformed-entities.xml", None, "DOCTYPE"),
        ("malformed-external-entity.xml", None, "DOCTYPE"),
    ],
)
def test_malformed_samples_are_refused_naming_the_file_and_the_element(sample, field, words):
    with pytest.raises(BadSidecar, match=words) as caught:
        read_xml_sidecar(SAMPLES / sample)
    error = caught.value
    assert error.code == "bad_sidecar"
    assert sample in error.message and error.details["file"] == sample
    assert error.details.get("field") == field
    if field is not None:
        assert field in error.message


def test_an_unknown_encoding_or_bytes_that_are_not_it_are_refused(tmp_path):
    (tmp_path / "a.xml").write_bytes(b'<?xml version="1.0" encoding="EBCDIC-XX"?><FileInfo/>')
    with pytest.raises(BadSidecar, match="unknown encoding"):
        read_xml_sidecar(tmp_path / "a.xml")
    (tmp_path / "b.xml").write_bytes(b"<FileInfo><Place>\xd6\xd0</Place></FileInfo>")
    with pytest.raises(BadSidecar, match="not utf-8"):
        read_xml_sidecar(tmp_path / "b.xml")


def test_what_the_writer_writes_the_reader_reads_in_each_encoding(tmp_path):
    sidecar = Sidecar(
        device_serial="BWC-00042",
        officer_id="130102001",
        officer_name="张伟",
        place="石家庄 <中山东路> & 12号",
        started_at=datetime(2026, 3, 12, 9, 30, tzinfo=CHINA),
        important=True,
        check_value=CheckValue("md5", "0123456789abcdef0123456789abcdef"),
        camera_clock=datetime(2026, 3, 12, 10, 3, tzinfo=CHINA),
    )
    for encoding in ("UTF-8", "GBK", "UTF-16"):
        path = tmp_path / f"clip-{encoding}.xml"
        write_xml_sidecar(path, sidecar, encoding=encoding)
        assert read_xml_sidecar(path) == sidecar


def test_either_shape_is_found_and_a_bad_one_comes_back_with_its_problem(tmp_path):
    media = tmp_path / "clip.MP4"
    media.write_bytes(b"x")
    assert load_sidecar(media) is None
    (tmp_path / "clip.XML").write_bytes((SAMPLES / "malformed-check-value.xml").read_bytes())
    assert find_sidecar(media) == tmp_path / "clip.XML"
    found = load_sidecar(media)
    assert found is not None and found.shape == "xml" and found.sidecar is None
    assert found.problem is not None and found.problem.details["field"] == "CheckValue"
    (tmp_path / "clip.json").write_text('{"officer_id": "7"}')
    found = load_sidecar(media)
    assert found is not None and found.shape == "json" and found.sidecar == Sidecar(officer_id="7")
