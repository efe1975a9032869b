"""The agent's own slice of configuration. Every option has a default (docs/configuration.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from agent.bandwidth import Timetable
from evidence.errors import ConfigError

__all__ = [
    "PATCH_CHUNKS",
    "AgentConfig",
    "BayConfig",
    "CaptureDefaults",
    "MqttConfig",
    "RoomConfig",
]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # safe in a path, a manifest, a topic
# Manifest chunks per PATCH (agent.patch_chunks): measured in docs/benchmarks.md.
PATCH_CHUNKS = 8
_MAX_PATCH_CHUNKS = 1024  # 8 GiB of 8 MiB chunks: past it a PATCH is a whole file anyway


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
class BayConfig:
    """A dock bay: where a docked camera's storage appears (a mount point). Its footage is
    copied into the agent's staging area before anything else (docs/sidecar.md)."""

    name: str = "bay-1"
    path: Path = Path("/media/liuhen/bay-1")


@dataclass(frozen=True)
class RoomConfig:
    """An interview or hearing room whose recorder writes into ``folder`` and whose room
    controller publishes sessions over MQTT under ``id`` (docs/mqtt.md)."""

    id: str = "room-1"
    folder: Path = Path("liuhen-data/rooms/room-1")
    name: str | None = None


@dataclass(frozen=True)
class MqttConfig:
    """Advisory telemetry (docs/mqtt.md): nothing recorded or uploaded waits for it."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None  # default: the device id
    password_file: Path | None = None
    tls_ca_file: Path | None = None
    prefix: str = "liuhen/v1"
    keepalive_seconds: int = 30
    state_seconds: float = 30.0
    reconnect_base_seconds: float = 1.0
    reconnect_cap_seconds: float = 60.0
    outbox_max_events: int = 100_000


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
        "*.xml",
        "*.XML",
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
    # Chunks of the manifest per PATCH: one server sync, index commit and round trip each.
    patch_chunks: int = PATCH_CHUNKS
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
    bays: tuple[BayConfig, ...] = ()
    bay_poll_seconds: float = 1.0
    clock_drift_alarm_seconds: float = 60.0
    rooms: tuple[RoomConfig, ...] = ()
    room_grace_seconds: float = 120.0
    mqtt: MqttConfig = field(default_factory=MqttConfig)

    def __post_init__(self) -> None:
        if not 0 < self.held_retry_seconds <= self.held_retry_cap_seconds:
            raise ConfigError(
                "agent.held_retry_seconds must be above 0 and at most agent.held_retry_cap_seconds"
            )
        if not 1 <= self.patch_chunks <= _MAX_PATCH_CHUNKS:
            raise ConfigError(f"agent.patch_chunks must be from 1 to {_MAX_PATCH_CHUNKS}")
        if self.derivation_attempts < 1:
            raise ConfigError("agent.derivation_attempts must be at least 1")
        if self.min_free_bytes < 0 or not 0 <= self.min_free_percent < 100:
            raise ConfigError(
                "agent.min_free_bytes must be 0 or more, agent.min_free_percent from 0 to under 100"
            )
        if self.purge_after_days is not None and not 0 <= self.purge_after_days <= 36500:
            raise ConfigError("agent.purge_after_days must be from 0 to 36500, or unset (never)")
        self.timetable  # noqa: B018 - a bad timetable fails at start, naming the option
        for what, names in (
            ("agent.bays", [bay.name for bay in self.bays]),
            ("agent.rooms", [room.id for room in self.rooms]),
        ):
            bad = [name for name in names if not _NAME.fullmatch(name)]
            if bad or len(set(names)) != len(names):
                raise ConfigError(
                    f"{what}: names are unique, 1-64 of A-Z a-z 0-9 . _ -; got {names}"
                )

    @property
    def timetable(self) -> Timetable:
        try:
            return Timetable.parse(self.bandwidth)
        except ConfigError as exc:
            raise ConfigError(f"agent.bandwidth: {exc.message}") from exc

    @property
    def staging_dir(self) -> Path:
        """Where footage copied off docked cameras waits: the agent's own, watched."""
        return self.data_dir / "staging"

    @property
    def watched(self) -> tuple[Path, ...]:
        """Every folder whose files are footage: the watch folders, the rooms' recorder
        folders and, when there are bays, the staging area."""
        staging = (self.staging_dir,) if self.bays else ()
        return (*self.watch, *(room.folder for room in self.rooms), *staging)

    @property
    def station_path(self) -> Path:
        return self.data_dir / "station.sqlite3"

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
