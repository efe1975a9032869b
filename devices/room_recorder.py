"""A simulated interview- or hearing-room recorder (询问室, 听证室 R2): one session is
written as consecutive segments, each with a sidecar naming the session and the
segment's place in it. Some rooms record sound only (WAV or M4A)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from devices.footage import write_audio, write_clip
from devices.sidecar import Sidecar, write_sidecar

__all__ = ["RoomRecorder"]


@dataclass
class RoomRecorder:
    folder: Path
    room: str = "询问室1"
    device_serial: str = "ROOM-REC-0003"
    device_model: str = "HK-IR-200"

    def record_session(
        self,
        session_id: str,
        *,
        started_at: datetime,
        segments: int = 3,
        segment_seconds: float = 2.0,
        case_number: str | None = None,
        officer_id: str | None = None,
        audio_only: str | None = None,
        skip: tuple[int, ...] = (),
        gaps: dict[int, float] | None = None,
    ) -> list[Path]:
        """Write ``segments`` segments; leave out those in ``skip`` (a recorder fault); put
        ``gaps[i]`` seconds of silence before segment ``i``. ``audio_only`` is ".wav" or ".m4a"."""
        folder = self.folder / session_id
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        start = started_at
        for index in range(1, segments + 1):
            start += timedelta(seconds=(gaps or {}).get(index, 0.0))
            if index not in skip:
                written.append(
                    self._segment(
                        folder,
                        session_id,
                        index,
                        start,
                        segment_seconds,
                        case_number,
                        officer_id,
                        audio_only,
                    )
                )
            start += timedelta(seconds=segment_seconds)
        return written

    def record_segment(
        self, name: str, *, started_at: datetime, seconds: float = 1.0, hue: int = 60
    ) -> Path:
        """One segment as a recorder that knows no session writes it: times, room and
        device in its sidecar, no session; the room's controller says which session it is
        (devices/room_controller.py), and the agent binds it. Two segments written within
        one second are the same bytes unless their ``hue`` differs (an MP4 dates itself to
        the second), and the agent takes the same bytes for the same footage."""
        media = self.folder / f"{name}.mp4"
        self.folder.mkdir(parents=True, exist_ok=True)
        write_clip(media, seconds=seconds, started_at=started_at, width=320, height=240, hue=hue)
        write_sidecar(
            media.with_suffix(".json"),
            Sidecar(
                device_model=self.device_model,
                device_serial=self.device_serial,
                place=self.room,
                started_at=started_at,
                ended_at=started_at + timedelta(seconds=seconds),
            ),
        )
        return media

    def _segment(
        self,
        folder: Path,
        session_id: str,
        index: int,
        start: datetime,
        seconds: float,
        case_number: str | None,
        officer_id: str | None,
        audio_only: str | None,
    ) -> Path:
        media = folder / f"{session_id}_seg{index:03d}{audio_only or '.mp4'}"
        if audio_only:  # a pitch of its own: WAV is not dated, so segments would be equal
            write_audio(media, seconds=seconds, started_at=start, pitch=320.0 + 10 * index)
        else:
            write_clip(
                media, seconds=seconds, started_at=start, width=320, height=240, hue=40 + index
            )
        write_sidecar(
            media.with_suffix(".json"),
            Sidecar(
                device_model=self.device_model,
                device_serial=self.device_serial,
                officer_id=officer_id,
                case_number=case_number,
                place=self.room,
                proves="询问过程",
                started_at=start,
                ended_at=start + timedelta(seconds=seconds),
                session_id=session_id,
                segment=index,
            ),
        )
        return media
