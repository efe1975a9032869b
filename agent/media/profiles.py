"""Transcode profiles, loaded from ``profiles.toml`` (data, not code)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from importlib import resources
from typing import Any

from evidence.errors import ConfigError

__all__ = ["Profile", "load_profiles"]


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    max_height: int
    video_codec: str
    preset: str
    video_bitrate: int
    maxrate: int
    bufsize: int
    audio_codec: str
    audio_bitrate: int
    threads: int

    def capped(self, video_bps: int | None, audio_bps: int | None) -> Profile:
        """This profile with no bitrate above the source's: a review copy is never worth
        more bits than its original. The rate buffer shrinks with the cap, keeping the
        profile's proportion. An unknown rate (None or 0) caps nothing."""
        maxrate = min(self.maxrate, video_bps) if video_bps else self.maxrate
        audio = min(self.audio_bitrate, audio_bps) if audio_bps else self.audio_bitrate
        if maxrate == self.maxrate and audio == self.audio_bitrate:
            return self
        return replace(
            self,
            video_bitrate=min(self.video_bitrate, maxrate),
            maxrate=maxrate,
            bufsize=max(1, self.bufsize * maxrate // self.maxrate),
            audio_bitrate=audio,
        )

    def output_size(self, width: int, height: int) -> tuple[int, int]:
        """Scale down to ``max_height`` keeping the aspect; never up; even sides (4:2:0)."""
        scale = min(1.0, self.max_height / height)
        return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def _profile(name: str, table: dict[str, Any]) -> Profile:
    expected = {f.name: f.type for f in fields(Profile) if f.name != "name"}
    unknown = sorted(set(table) - set(expected))
    missing = sorted(set(expected) - set(table))
    if unknown or missing:
        raise ConfigError(f"profile {name}: unknown {unknown or '-'}, missing {missing or '-'}")
    for key, kind in expected.items():
        value = table[key]
        if (
            kind == "int" and (not isinstance(value, int) or isinstance(value, bool) or value <= 0)
        ) or (kind == "str" and not isinstance(value, str)):
            raise ConfigError(
                f"profile {name}: {key} must be a positive integer or text, not {value!r}"
            )
    return Profile(name=name, **table)


def load_profiles(text: str | None = None) -> dict[str, Profile]:
    if text is None:
        text = resources.files("agent.media").joinpath("profiles.toml").read_text("utf-8")
    try:
        tables = tomllib.loads(text)["profiles"]
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise ConfigError(f"transcode profiles are not readable: {exc}") from exc
    return {name: _profile(name, table) for name, table in tables.items()}
