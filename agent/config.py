"""The agent's own slice of configuration. Every option has a default (docs/configuration.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agent.bandwidth import Timetable
from evidence.errors import ConfigError

__all__ = ["AgentConfig", "CaptureDefaults"]


@dataclass(frozen=True)
class CaptureDefaults:
    """R4 fields for footage whose sidecar lacks them: set per docking station or room."""

    officer_id: str | None = None
    officer_name: str | None = None
    case_number: str | None = None
    place: str | None = None
    proves: str | None = None
    device_model: str | None = None
    device_serial: str | None = None


@dataclass(frozen=True)
class AgentConfig:
    device_id: str = "dock-01"
    server_url: str = "http://127.0.0.1:8740"
    data_dir: Path = Path("liuhen-data/agent")
    server_public_key: Path = Path("liuhen-data/server/keys/server.pub.pem")
    watch: tuple[Path, ...] = (Path("liuhen-data/dock"),)
    ignore: tuple[str, ...] = (
        ".*",
        "*.json",
        "*.transcript.txt",
        "*.tmp",
        "*.part",
        "*.partial",
        "~*",
    )
    settle_seconds: float = 2.0
    quiet_seconds: float = 30.0
    rescan_seconds: float = 60.0
    max_parallel: int = 2
    retry_base_seconds: float = 1.0
    retry_cap_seconds: float = 300.0
    # A file the server refused: tried again after this long, doubling up to the cap.
    held_retry_seconds: float = 600.0
    held_retry_cap_seconds: float = 14400.0
    request_timeout_seconds: float = 120.0
    broken_grace_seconds: float = 600.0
    growing_alarm_seconds: float = 3600.0
    make_proxies: bool = True
    proxy_profile: str = "review-720p"
    transcode_nice: int = 10
    # A review copy that fails this many times in a row is given up (``unmade``).
    derivation_attempts: int = 5
    # Free space under either, on the data directory's or a bay's file system: disk
    # pressure (agent/disk.py).
    min_free_bytes: int = 1024**3
    min_free_percent: float = 5.0
    # The upload cap and its timetable (agent/bandwidth.py); liuhen agent bandwidth
    # overrides it while the agent runs.
    bandwidth: str = "off"
    # Remove a receipted original (and its receipted copies) from the dock this many days
    # after its receipt was verified; unset: never (agent/retention.py).
    purge_after_days: float | None = None
    defaults: CaptureDefaults = field(default_factory=CaptureDefaults)

    def __post_init__(self) -> None:
        if not 0 < self.held_retry_seconds <= self.held_retry_cap_seconds:
            raise ConfigError(
                "agent.held_retry_seconds must be above 0 and at most agent.held_retry_cap_seconds"
            )
        if self.derivation_attempts < 1:
            raise ConfigError("agent.derivation_attempts must be at least 1")
        if self.min_free_bytes < 0 or not 0 <= self.min_free_percent < 100:
            raise ConfigError(
                "agent.min_free_bytes must be 0 or more, agent.min_free_percent from 0 to under 100"
            )
        if self.purge_after_days is not None and not 0 <= self.purge_after_days <= 36500:
            raise ConfigError("agent.purge_after_days must be from 0 to 36500, or unset (never)")
        self.timetable  # noqa: B018 - a bad timetable fails at start, naming the option

    @property
    def timetable(self) -> Timetable:
        try:
            return Timetable.parse(self.bandwidth)
        except ConfigError as exc:
            raise ConfigError(f"agent.bandwidth: {exc.message}") from exc

    @property
    def key_path(self) -> Path:
        return self.data_dir / "keys" / "device.pem"

    @property
    def public_key_path(self) -> Path:
        return self.data_dir / "keys" / "device.pub.pem"

    @property
    def journal_path(self) -> Path:
        return self.data_dir / "journal.sqlite3"

    def proxy_path(self, evidence_id: str) -> Path:
        # The agent's own folder, never a watched one: a review copy is not new footage.
        return self.data_dir / "derived" / evidence_id / "review.mp4"
