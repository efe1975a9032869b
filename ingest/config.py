"""The server's own slice of configuration. Every option has a default (docs/configuration.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from evidence.errors import ConfigError

__all__ = ["IngestConfig"]

GIB = 1024**3


@dataclass(frozen=True)
class IngestConfig:
    host: str = "127.0.0.1"
    port: int = 8740
    data_dir: Path = Path("liuhen-data/server")
    blob_store: str = "local"
    index: str = "sqlite"
    max_upload_bytes: int = 64 * GIB
    max_manifest_bytes: int = 4 * 1024 * 1024
    upload_expiry_seconds: int = 7 * 24 * 3600
    device_token_ttl_seconds: int = 3600
    user_token_ttl_days: int = 90
    challenge_ttl_seconds: int = 120
    sweep_interval_seconds: int = 300
    session_gap_tolerance_seconds: float = 2.0
    max_clip_bytes: int = 1 * GIB
    max_transcript_bytes: int = 4 * 1024 * 1024
    tls_certificate: Path | None = None
    tls_private_key: Path | None = None

    @property
    def user_token_ttl(self) -> timedelta:
        if self.user_token_ttl_days < 1:
            raise ConfigError("server.user_token_ttl_days must be at least 1")
        return timedelta(days=self.user_token_ttl_days)

    @property
    def server_key_path(self) -> Path:
        return self.data_dir / "keys" / "server.pem"

    @property
    def server_public_key_path(self) -> Path:
        return self.data_dir / "keys" / "server.pub.pem"

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
