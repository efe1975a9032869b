"""The review copy's two threads (decode and scale, encode and mux) and the queue between
them: every frame arrives once and in order, and a failure or a cancel stops both
threads and leaves nothing behind."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import pytest

from agent.media import proxy
from agent.media.profiles import load_profiles
from agent.media.proxy import TranscodeCancelled, TranscodeFailed, make_proxy
from devices.footage import write_clip

START = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
PROFILE = load_profiles()["review-720p"]


@pytest.fixture(scope="module")
def hd(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("threads") / "hd.mp4"
    write_clip(path, seconds=3, started_at=START, width=1920, height=1080)
    return path


def video_stamps(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [float(f.pts * f.time_base) for f in container.decode(stream)]


def stage_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("proxy-")]


def test_every_frame_of_the_original_reaches_the_copy_once_and_in_order(hd, tmp_path):
    make_proxy(hd, tmp_path / "review.mp4", PROFILE)
    original, copy = video_stamps(hd), video_stamps(tmp_path / "review.mp4")
    assert len(original) == 75
    assert copy == pytest.approx(original, abs=0.001)
    assert stage_threads() == []


class _BrokenScaler:
    def reformat(self, frame: Any, **_: Any) -> Any:
        raise RuntimeError("the scaler broke")


def test_a_failure_while_scaling_fails_the_copy_and_stops_both_threads(hd, tmp_path, monkeypatch):
    monkeypatch.setattr(proxy, "VideoReformatter", _BrokenScaler)
    with pytest.raises(TranscodeFailed, match="the scaler broke"):
        make_proxy(hd, tmp_path / "review.mp4", PROFILE)
    assert list(tmp_path.iterdir()) == []
    assert stage_threads() == []


def test_a_cancel_stops_both_threads_and_leaves_nothing(hd, tmp_path):
    cancel = threading.Event()

    def progress(seconds: float) -> None:
        if seconds >= 1:
            cancel.set()

    with pytest.raises(TranscodeCancelled, match=r"cancelled while copying hd\.mp4"):
        make_proxy(hd, tmp_path / "review.mp4", PROFILE, cancel=cancel, on_progress=progress)
    assert list(tmp_path.iterdir()) == []
    assert stage_threads() == []
