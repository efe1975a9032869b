"""The server's own slice of configuration. Every option has a default (docs/configuration.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from evidence.errors import ConfigError, InvalidIdentifier
from evidence.mqtt_wire import room_topic
from storage.postgres_config import PostgresConfig
from storage.retention_config import RetentionConfig
from storage.s3_config import S3Config

__all__ = ["FleetMqttConfig", "IngestConfig"]

GIB = 1024**3
# The longest any lifetime or interval may be: a time plus it is always a time (a datetime
# ends at year 9999), and no sleep overflows.
MAX_PERIOD_SECONDS = 100 * 366 * 86_400


@dataclass(frozen=True)
class FleetMqttConfig:
    """The fleet view's subscription to the stations' MQTT topics (docs/mqtt.md). Advisory:
    the server serves and stores with no broker at all; off unless enabled."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 1883
    username: str = "fleet"  # a reader in the broker's access list (liuhen mqtt acl --reader)
    password_file: Path | None = None
    tls_ca_file: Path | None = None
    prefix: str = "liuhen/v1"
    # The persistent session's name at the broker: what arrives while the server is away
    # waits for it under this name. One per server.
    client_id: str = "liuhen-fleet"
    keepalive_seconds: int = 30
    reconnect_base_seconds: float = 1.0
    reconnect_cap_seconds: float = 60.0
    # A station that says it is online but has sent nothing for this long is silent.
    silent_after_seconds: float = 120.0
    # A station lost or silent for longer than this raises the station_silent flag.
    silent_flag_seconds: float = 900.0
    # A closed room session is judged (and flagged if footage is short) this long after it
    # closed, so its last segments can arrive first.
    session_grace_seconds: float = 600.0
    # How often the server looks for silent stations and sessions to judge.
    watch_seconds: float = 30.0
    # Events are kept this long (the boots' counts of what arrived and what was missed are
    # kept for ever).
    keep_events_days: float = 30.0

    def __post_init__(self) -> None:
        for name, unit in (
            ("reconnect_base_seconds", 1),
            ("reconnect_cap_seconds", 1),
            ("silent_after_seconds", 1),
            ("silent_flag_seconds", 1),
            ("session_grace_seconds", 1),
            ("watch_seconds", 1),
            ("keep_events_days", 86_400),
        ):
            value, most = getattr(self, name), MAX_PERIOD_SECONDS // unit
            if not 0 < value <= most:
                raise ConfigError(f"server.mqtt.{name} must be above 0 and at most {most}")
        if not 1 <= self.keepalive_seconds <= 65535:
            raise ConfigError("server.mqtt.keepalive_seconds must be from 1 to 65535")
        try:
            room_topic(self.prefix, "check")
        except InvalidIdentifier as exc:
            raise ConfigError(f"server.mqtt.prefix: {exc.message}") from None


@dataclass(frozen=True)
class IngestConfig:
    host: str = "127.0.0.1"
    port: int = 8740
    data_dir: Path = Path("liuhen-data/server")
    blob_store: str = "local"  # or "s3": a bucket with Object Lock ([server.s3])
    upload_area: str = "local"  # or "s3": uploads in progress as S3 parts (needs the s3 store)
    index: str = "sqlite"  # or "postgres": the index in PostgreSQL ([server.postgres])
    max_upload_bytes: int = 64 * GIB
    # Per device: uploads open at once (0 pauses new ones; agents back off and retry),
    # and the disk their partial files reserve (also a cap on one object's size).
    max_open_uploads_per_device: int = 32
    max_reserved_bytes_per_device: int = 256 * GIB
    max_manifest_bytes: int = 4 * 1024 * 1024
    upload_expiry_seconds: int = 7 * 24 * 3600
    device_token_ttl_seconds: int = 3600
    user_token_ttl_days: int = 90
    # People sign in with a password (docs/people.md): a session ends this long after
    # sign-in, or after this long unused, whichever comes first.
    session_hours: int = 12
    session_idle_minutes: int = 30
    # Failed sign-ins allowed per name and per address within the window, then 429.
    sign_in_failures_per_name: int = 5
    sign_in_failures_per_address: int = 20
    sign_in_window_minutes: int = 15
    # argon2id (RFC 9106's second recommended option by default: 64 MiB, 3 passes, 4 lanes).
    password_memory_kib: int = 65536
    password_iterations: int = 3
    password_lanes: int = 4
    challenge_ttl_seconds: int = 120
    sweep_interval_seconds: int = 300
    # A partial file no upload names is removed (at start and at each sweep) once it is
    # this old: another server process on the same area may be about to index it.
    orphan_grace_seconds: int = 60
    # A request body that brings no byte for this long is given up and its connection
    # closed: a half-open link must not hold an upload's lock (http/bodies.py).
    body_read_timeout_seconds: float = 60.0
    session_gap_tolerance_seconds: float = 2.0
    max_clip_bytes: int = 1 * GIB
    max_transcript_bytes: int = 4 * 1024 * 1024
    tls_certificate: Path | None = None
    tls_private_key: Path | None = None
    # Load balancers whose X-Forwarded-For names the client (http/client_address.py).
    trusted_proxies: tuple[str, ...] = ()
    s3: S3Config = field(default_factory=S3Config)
    postgres: PostgresConfig = field(default_factory=PostgresConfig)
    mqtt: FleetMqttConfig = field(default_factory=FleetMqttConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)

    def __post_init__(self) -> None:
        if self.blob_store == "s3":
            self.s3.check()
        if self.index == "postgres":
            self.postgres.check()
        if self.upload_area == "s3" and self.blob_store != "s3":
            raise ConfigError('server.upload_area "s3" needs server.blob_store "s3"')
        if self.max_open_uploads_per_device < 0:
            raise ConfigError("server.max_open_uploads_per_device cannot be negative")
        if self.max_reserved_bytes_per_device < 1:
            raise ConfigError("server.max_reserved_bytes_per_device must be positive")
        if not 0 <= self.orphan_grace_seconds <= MAX_PERIOD_SECONDS:
            most = MAX_PERIOD_SECONDS
            raise ConfigError(f"server.orphan_grace_seconds must be from 0 to {most}")
        if not 0 < self.body_read_timeout_seconds <= 86_400:
            raise ConfigError("server.body_read_timeout_seconds must be above 0 and at most 86400")
        self._check_periods()
        self._check_sign_in()

    def _check_periods(self) -> None:
        """Every lifetime and interval, at load, not on first use (a huge one overflowed a
        datetime there, as a traceback)."""
        for name, value, unit in (
            ("upload_expiry_seconds", self.upload_expiry_seconds, 1),
            ("device_token_ttl_seconds", self.device_token_ttl_seconds, 1),
            ("user_token_ttl_days", self.user_token_ttl_days, 86_400),
            ("challenge_ttl_seconds", self.challenge_ttl_seconds, 1),
            ("sweep_interval_seconds", self.sweep_interval_seconds, 1),
            ("session_hours", self.session_hours, 3600),
            ("session_idle_minutes", self.session_idle_minutes, 60),
            ("sign_in_window_minutes", self.sign_in_window_minutes, 60),
        ):
            if not 1 <= value <= MAX_PERIOD_SECONDS // unit:
                most = MAX_PERIOD_SECONDS // unit
                raise ConfigError(f"server.{name} must be from 1 to {most}, not {value}")

    def _check_sign_in(self) -> None:
        """Limits on sign-in and the password hash's cost: nothing below OWASP's floor for
        argon2id (19 MiB, 2 passes), and nothing that would let a flood of sign-ins take
        the server's memory (4 GiB per hash at most)."""
        for name, value, low, high in (
            ("sign_in_failures_per_name", self.sign_in_failures_per_name, 1, 1000),
            ("sign_in_failures_per_address", self.sign_in_failures_per_address, 1, 100_000),
            ("password_memory_kib", self.password_memory_kib, 19_456, 4 * 1024 * 1024),
            ("password_iterations", self.password_iterations, 2, 100),
            ("password_lanes", self.password_lanes, 1, 16),
        ):
            if not low <= value <= high:
                raise ConfigError(f"server.{name} must be from {low} to {high}, not {value}")

    @property
    def session_ttl(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def sign_in_window(self) -> timedelta:
        return timedelta(minutes=self.sign_in_window_minutes)

    def store_options(self) -> dict[str, Any]:
        """What the chosen blob store is opened with, besides its folder."""
        return {"s3": self.s3} if self.blob_store == "s3" else {}

    def index_options(self) -> dict[str, Any]:
        """What the chosen index is opened with, besides its SQLite path."""
        return self.postgres.options() if self.index == "postgres" else {}

    def lock_options(self) -> dict[str, Any]:
        """What a store that locks its objects is opened with: the retention classes."""
        return {"retention": self.retention} if self.blob_store == "s3" else {}

    @property
    def upload_size_limit(self) -> int:
        """The largest object a device can upload: no larger than one device may reserve."""
        return min(self.max_upload_bytes, self.max_reserved_bytes_per_device)

    @property
    def user_token_ttl(self) -> timedelta:
        return timedelta(days=self.user_token_ttl_days)

    @property
    def server_key_path(self) -> Path:
        return self.data_dir / "keys" / "server.pem"

    @property
    def server_public_key_path(self) -> Path:
        return self.data_dir / "keys" / "server.pub.pem"

    @property
    def log_key_path(self) -> Path:
        """The custody log's own signing key (ingest/custody_log/identity.py)."""
        return self.data_dir / "keys" / "log.pem"

    @property
    def log_public_key_path(self) -> Path:
        return self.data_dir / "keys" / "log.pub.pem"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "index.sqlite3"

    @property
    def uploads_dir(self) -> Path:
        # Beside the store, on the same file system, so storing is a hard link, not a copy.
        return self.data_dir / "uploads"
