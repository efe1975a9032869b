"""The server's own slice of configuration. Every option has a default (docs/configuration.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from evidence.errors import ConfigError

__all__ = ["IngestConfig"]

GIB = 1024**3
# The longest any lifetime or interval may be: a time plus it is always a time (a datetime
# ends at year 9999), and no sleep overflows.
MAX_PERIOD_SECONDS = 100 * 366 * 86_400


@dataclass(frozen=True)
class IngestConfig:
    host: str = "127.0.0.1"
    port: int = 8740
    data_dir: Path = Path("liuhen-data/server")
    blob_store: str = "local"
    index: str = "sqlite"
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

    def __post_init__(self) -> None:
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
