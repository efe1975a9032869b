"""Is this clip from that recording, and from which seconds? Re-encoded and resized
copies match; unrelated footage does not."""

from datetime import UTC, datetime

import pytest

from devices.footage import write_clip
from evidence.errors import UnreadableMedia
from evidence.perceptual import MATCH_DISTANCE, SecondPrint, hamming, match_clip
from runtime.video_prints import prints_of_video
from tests.media.copies import cut

START = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
PHASES = tuple(n / 8 for n in range(8))  # as the server samples clips


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    folder = tmp_path_factory.mktemp("perceptual")
    write_clip(folder / "original.mp4", seconds=12, started_at=START, width=320, height=240, hue=90)
    write_clip(
        folder / "unrelated.mp4", seconds=6, started_at=START, width=320, height=240, hue=127
    )
    return folder, prints_of_video(folder / "original.mp4")[0]


def test_every_second_of_the_recording_is_fingerprinted(recording):
    _, prints = recording
    assert [p.second for p in prints] == list(range(12))
    assert all(len(p.hash) == 32 and p.quality >= 50 for p in prints)


@pytest.mark.parametrize(
    ("start", "end", "height", "bitrate"),
    [
        (4.0, 9.0, None, 150_000),  # re-encoded at a low bitrate
        (2.0, 8.0, 120, 400_000),  # resized to half
        (3.4, 8.4, 180, 300_000),  # cut mid-second, resized and re-encoded
    ],
)
def test_copies_of_the_recording_match_at_the_right_seconds(
    recording, tmp_path, start, end, height, bitrate
):
    folder, prints = recording
    cut(folder / "original.mp4", tmp_path / "copy.mp4", start, end, height=height, bitrate=bitrate)
    result = match_clip(prints_of_video(tmp_path / "copy.mp4", PHASES), prints)
    assert result.verdict == "match", result
    assert abs(result.first_second - start) <= 1
    assert result.mean_distance <= MATCH_DISTANCE


def test_unrelated_footage_does_not_match(recording):
    folder, prints = recording
    result = match_clip(prints_of_video(folder / "unrelated.mp4", PHASES), prints)
    assert result.verdict == "no_match", result
    assert result.first_second is None
    assert result.mean_distance > 2 * MATCH_DISTANCE


def test_a_file_that_is_not_video_is_unreadable(tmp_path):
    (tmp_path / "x.mp4").write_bytes(b"not a video at all")
    with pytest.raises(UnreadableMedia, match=r"^not readable as video"):
        prints_of_video(tmp_path / "x.mp4")


def prints(*hashes: bytes, quality: int = 100) -> list[SecondPrint]:
    return [SecondPrint(second, digest, quality) for second, digest in enumerate(hashes)]


def test_matching_rules_on_hand_made_hashes():
    a, b, c = bytes(32), bytes([0xFF]) * 32, bytes([0x0F]) * 32
    assert hamming(a, b) == 256 and hamming(a, c) == 128
    recording = prints(b, c, a, b, c, a)
    assert match_clip([prints(a, b, c)], recording).first_second == 2
    assert match_clip([prints(a, b, c)], recording).verdict == "match"
    low = match_clip([prints(a, b, c, quality=10)], recording)
    assert low.verdict == "inconclusive", "unreliable hashes decide nothing"
    assert match_clip([[]], recording).verdict == "inconclusive"
