"""Probing every kind of original, and the review copy's properties."""

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import av
import pytest

from agent.media import length, proxy
from agent.media.length import TAIL_SECONDS, packets_length
from agent.media.probe import _describe, opens_as_media, probe
from agent.media.profiles import load_profiles
from agent.media.proxy import TranscodeFailed, make_proxy
from devices.broken import (
    write_cut_short,
    write_empty,
    write_gbk_metadata,
    write_not_media,
    write_truncated,
    write_undecodable,
)
from devices.footage import write_audio, write_clip
from evidence.errors import ConfigError
from evidence.manifest_media import MAX_DURATION_MS, StreamFacts
from runtime.video_prints import prints_of_video

START = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
NO_DECODER = b"\xff\x0a\x0b\x83" + bytes(508)
PROFILE = load_profiles()["review-720p"]


@pytest.fixture(scope="module")
def footage(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("footage")
    write_clip(folder / "hd.mp4", seconds=2, started_at=START, width=1920, height=1080)
    write_clip(folder / "small.mp4", seconds=2, started_at=START, width=320, height=240)
    write_clip(
        folder / "vfr.mp4", seconds=2, started_at=START, width=320, height=240, variable_rate=True
    )
    write_audio(folder / "talk.wav", seconds=2, started_at=START)
    write_audio(folder / "talk.m4a", seconds=2, started_at=START)
    write_gbk_metadata(folder / "gbk-title.mp4", started_at=START)
    write_empty(folder / "empty.mp4")
    write_not_media(folder / "document.mp4")
    write_truncated(folder / "cut-short.mp4", started_at=START)
    write_undecodable(folder / "corrupt.mp4", started_at=START)
    # Four bytes FFmpeg takes for a JPEG XL stream, which it cannot decode (found among
    # 5,000 files of random bytes: one in 65,536 starts so).
    (folder / "no-decoder.bin").write_bytes(NO_DECODER)
    return folder


@pytest.mark.parametrize(
    ("name", "video", "audio", "variable"),
    [
        ("hd.mp4", True, True, False),
        ("vfr.mp4", True, True, True),
        ("talk.wav", False, True, False),
        ("talk.m4a", False, True, False),
        ("gbk-title.mp4", True, True, False),  # metadata not in UTF-8
    ],
)
def test_playable_originals_are_described(footage, name, video, audio, variable):
    facts = probe(footage / name)
    assert facts.decodable and facts.problem is None
    assert (facts.has_video, facts.has_audio) == (video, audio)
    assert abs(facts.duration_ms - 2000) < 100
    if name != "talk.wav":  # WAV has nowhere to keep a creation time
        assert facts.creation_time.startswith("2026-03-12T01:30:00")
    assert any(s.variable_frame_rate for s in facts.streams) == variable
    assert opens_as_media(footage / name)


@pytest.mark.parametrize(
    ("name", "problem", "opens"),
    [
        ("empty.mp4", "the file is empty", False),
        ("document.mp4", "not readable as media", False),
        ("cut-short.mp4", "not readable as media", False),
        ("corrupt.mp4", "decoding failed", True),
        ("no-decoder.bin", "decoding failed: Decoder not found", True),
    ],
)
def test_broken_originals_are_described_not_refused(footage, name, problem, opens):
    facts = probe(footage / name)
    assert not facts.decodable
    assert facts.problem.startswith(problem)
    assert str(footage) not in facts.problem, "no dock paths in a signed manifest"
    assert opens_as_media(footage / name) == opens


def streams_of(path: Path) -> list[tuple]:
    with av.open(str(path)) as container:
        return [
            (s.type, s.codec_context.name, s.codec_context.width, s.codec_context.height)
            if s.type == "video"
            else (s.type, s.codec_context.name)
            for s in container.streams
        ]


def test_the_review_copy_is_720p_h264_aac_faststart_and_as_long_as_the_original(footage, tmp_path):
    target = tmp_path / "review.mp4"
    prints = make_proxy(footage / "hd.mp4", target, PROFILE)
    assert streams_of(target) == [("video", "h264", 1280, 720), ("audio", "aac")]
    original, copy = probe(footage / "hd.mp4"), probe(target)
    one_frame_ms = 1000 / 25
    for kind in ("video", "audio"):
        a = next(s for s in original.streams if s.kind == kind)
        b = next(s for s in copy.streams if s.kind == kind)
        assert abs(a.duration_ms - b.duration_ms) <= one_frame_ms, kind
    head = target.read_bytes()[:4096]
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head, (
        "faststart: the index comes first"
    )
    assert [p.second for p in prints] == [0, 1]
    assert not (footage / "hd.mp4.partial").exists()


def test_the_review_copy_caps_the_bitrate(footage, tmp_path):
    target = tmp_path / "review.mp4"
    make_proxy(footage / "hd.mp4", target, PROFILE)
    with av.open(str(target)) as container:
        video = container.streams.video[0]
        assert video.bit_rate <= PROFILE.maxrate * 1.1


def test_a_small_original_is_not_scaled_up(footage, tmp_path):
    make_proxy(footage / "small.mp4", tmp_path / "review.mp4", PROFILE)
    assert streams_of(tmp_path / "review.mp4")[0] == ("video", "h264", 320, 240)


def test_variable_frame_rate_timestamps_pass_through(footage, tmp_path):
    make_proxy(footage / "vfr.mp4", tmp_path / "review.mp4", PROFILE)

    def stamps(path):
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            return [float(f.pts * f.time_base) for f in container.decode(stream)]

    assert stamps(tmp_path / "review.mp4") == pytest.approx(stamps(footage / "vfr.mp4"), abs=0.001)


@pytest.mark.parametrize("name", ["talk.wav", "talk.m4a"])
def test_audio_only_gets_an_aac_review_copy(footage, tmp_path, name):
    prints = make_proxy(footage / name, tmp_path / "review.mp4", PROFILE)
    assert prints == ()
    facts = probe(tmp_path / "review.mp4")
    assert [(s.kind, s.codec) for s in facts.streams] == [("audio", "aac")]
    assert abs(facts.duration_ms - probe(footage / name).duration_ms) <= 1024 * 1000 / 48000


def test_metadata_in_gbk_still_gets_a_review_copy_and_fingerprints(footage, tmp_path):
    prints = make_proxy(footage / "gbk-title.mp4", tmp_path / "review.mp4", PROFILE)
    assert len(prints) == 2
    assert prints_of_video(footage / "gbk-title.mp4")[0]  # what clip matching decodes


@pytest.mark.parametrize("name", ["empty.mp4", "document.mp4", "cut-short.mp4"])
def test_no_review_copy_of_what_cannot_be_read_and_nothing_left_behind(footage, tmp_path, name):
    # FFmpeg's own words for a file it cannot read (AVERROR_INVALIDDATA), or ours
    with pytest.raises(TranscodeFailed, match=r"Invalid data found|no audio or video stream"):
        make_proxy(footage / name, tmp_path / "review.mp4", PROFILE)
    assert list(tmp_path.iterdir()) == []


def test_the_original_is_never_touched(footage, tmp_path):
    before = (footage / "hd.mp4").read_bytes()
    make_proxy(footage / "hd.mp4", tmp_path / "review.mp4", PROFILE)
    assert (footage / "hd.mp4").read_bytes() == before


def test_profiles_are_data_and_checked():
    assert PROFILE.output_size(1920, 1080) == (1280, 720)
    assert PROFILE.output_size(1080, 1920) == (404, 720)  # portrait: 405 rounded to even
    assert (
        load_profiles(
            '[profiles.x]\nmax_height = 240\nvideo_codec = "libx264"\npreset = "fast"\n'
            'video_bitrate = 1\nmaxrate = 1\nbufsize = 1\naudio_codec = "aac"\n'
            "audio_bitrate = 1\nthreads = 1\n"
        )["x"].max_height
        == 240
    )
    for bad in ['[profiles.x]\nmax_height = "tall"\n', "not toml [", "[other]\n"]:
        with pytest.raises(ConfigError, match="profile"):
            load_profiles(bad)


def test_numbers_a_manifest_cannot_take_are_probed_as_unknown():
    """A broken file can claim anything (a duration of centuries, a rate of ten digits);
    the agent records such a number as unknown rather than sign what the server refuses.
    A stand-in stream: no real file we can write makes FFmpeg report these."""
    context = SimpleNamespace(name="h264", width=2**40, height=720, sample_rate=0, channels=0)
    stream = SimpleNamespace(
        type="video",
        codec_context=context,
        average_rate=Fraction(2**31 - 1, 1),
        time_base=Fraction(1, 1),
        start_time=-(2**62),
        duration=MAX_DURATION_MS,  # seconds: a thousand times too long
    )
    facts = _describe(stream, variable=False)
    assert facts == StreamFacts("video", "h264", None, 720, None, False, None, None, None, None)
    sane = SimpleNamespace(**{**vars(stream), "average_rate": Fraction(30, 1), "duration": 2})
    sane.start_time = 0
    assert _describe(sane, variable=False).duration_ms == 2000
    assert _describe(sane, variable=False).frame_rate == "30/1"


def test_a_copy_cut_short_is_as_long_as_its_packets_not_as_its_header_claims(tmp_path):
    """A faststart MP4 (index first) whose data stops at 15 %: it opens and its first
    second decodes, but the header's 20 s are a claim its data does not back."""
    cut = tmp_path / "cut.mp4"
    write_cut_short(cut, started_at=START, seconds=20, keep=0.15)
    facts = probe(cut)
    assert facts.decodable
    assert facts.container_duration_ms == 20_000
    assert 0 < facts.duration_ms < 5_000
    assert facts.duration_ms == round(packets_length(cut) * 1000)


def test_a_whole_file_keeps_its_header_length_and_claims_nothing_more(footage, tmp_path):
    long = tmp_path / "long.mp4"  # long enough that only its tail is demuxed
    write_clip(long, seconds=2 * TAIL_SECONDS, started_at=START, width=160, height=120)
    for path in (long, footage / "hd.mp4", footage / "talk.wav", footage / "talk.m4a"):
        facts = probe(path)
        assert facts.container_duration_ms is None, path.name
        assert "container_duration_ms" not in facts.to_document()
    assert probe(long).duration_ms == 2000 * TAIL_SECONDS


def test_the_packets_are_read_from_the_tail_unless_the_tail_is_missing(tmp_path, monkeypatch):
    long = tmp_path / "long.mp4"
    write_clip(long, seconds=3 * TAIL_SECONDS, started_at=START, width=160, height=120)
    cut = tmp_path / "cut.mp4"
    write_cut_short(cut, started_at=START, seconds=3 * TAIL_SECONDS, keep=0.5)
    reads = []
    real = length._last_end

    def counted(path, size, *, tail):
        reads.append((path.name, tail))
        return real(path, size, tail=tail)

    monkeypatch.setattr(length, "_last_end", counted)
    assert packets_length(long) == 3 * TAIL_SECONDS
    assert reads == [("long.mp4", True)], "a whole file: its tail only"
    reads.clear()
    assert 0 < packets_length(cut) < 2 * TAIL_SECONDS
    assert reads == [("cut.mp4", True), ("cut.mp4", False)], "no tail: from the start"


@pytest.mark.parametrize(
    ("width", "height", "bit_rate", "seconds"),
    [
        (640, 360, None, 4),  # x264's own rate: about 0.4 Mbit/s, far under the profile's 2
        (640, 360, 150_000, 4),  # a low-bitrate camera
        (1920, 1080, 400_000, 4),  # scaled down, and still under the profile's rate
        (640, 360, None, 2),  # short: x264 overshoots its target most here
    ],
)
def test_a_review_copy_is_never_larger_than_its_original(
    tmp_path, width, height, bit_rate, seconds
):
    original = tmp_path / "clip.mp4"
    write_clip(
        original, seconds=seconds, started_at=START, width=width, height=height, bit_rate=bit_rate
    )
    make_proxy(original, tmp_path / "review.mp4", PROFILE)
    assert (tmp_path / "review.mp4").stat().st_size <= original.stat().st_size
    with av.open(str(original)) as source, av.open(str(tmp_path / "review.mp4")) as copy:
        assert copy.streams.video[0].bit_rate <= source.streams.video[0].bit_rate
        assert copy.streams.audio[0].bit_rate <= source.streams.audio[0].bit_rate


def test_a_copy_that_still_comes_out_larger_is_made_again_smaller(tmp_path, monkeypatch, caplog):
    original = tmp_path / "clip.mp4"
    write_clip(original, seconds=2, started_at=START, bit_rate=300_000)
    monkeypatch.setattr(proxy, "HEADROOM", 1.5)  # the first pass aims over the original
    with caplog.at_level("INFO", logger="agent.media.proxy"):
        make_proxy(original, tmp_path / "review.mp4", PROFILE)
    assert "came out larger than the original" in caplog.text
    assert (tmp_path / "review.mp4").stat().st_size <= original.stat().st_size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "review.mp4"]


def test_the_profile_is_capped_at_the_source_rates_and_never_raised():
    capped = PROFILE.capped(500_000, 64_000)
    assert (capped.video_bitrate, capped.maxrate, capped.audio_bitrate) == (
        500_000,
        500_000,
        64_000,
    )
    assert capped.bufsize == PROFILE.bufsize * 500_000 // PROFILE.maxrate
    assert PROFILE.capped(50_000_000, 320_000) is PROFILE
    assert PROFILE.capped(None, None) is PROFILE
    assert PROFILE.capped(0, 0) is PROFILE
