"""The ``[custody]`` section of the configuration. Every option has a default
(docs/configuration.md)."""

from __future__ import annotations

from dataclasses import dataclass

from evidence.errors import ConfigError, MalformedCheckpoint
from evidence.keys import Ed25519PrivateKey
from evidence.tlog.checkpoint import log_origin

__all__ = ["CustodyConfig"]

_DAY = 86_400
_MAX_SECONDS = 366 * _DAY
_ANY_KEY = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()  # checks the host


@dataclass(frozen=True)
class CustodyConfig:
    # The agency server's DNS name (or a lowercase agency code): the custody log's origin
    # is <log_host>/liuhen/<8 hex of the log key>, fixed when the log starts.
    log_host: str = "localhost"
    # A checkpoint is signed when the log has grown and this long has passed since the
    # last one, or at once when it has grown by checkpoint_entries.
    checkpoint_interval_seconds: float = 300.0
    checkpoint_entries: int = 1000
    # How long a stream grant (one logged access) serves its object's bytes.
    grant_minutes: float = 30.0
    # The fixity audit re-reads every stored object within this many days, a share at a
    # time, oldest-checked first, every fixity_round_seconds.
    fixity_days: int = 30
    fixity_round_seconds: float = 3600.0

    def __post_init__(self) -> None:
        try:
            log_origin(self.log_host, _ANY_KEY)
        except MalformedCheckpoint:
            raise ConfigError(
                f"custody.log_host must be a lowercase DNS name; got {self.log_host!r}"
            ) from None
        for name in ("checkpoint_interval_seconds", "fixity_round_seconds"):
            value = getattr(self, name)
            if not 0.01 <= value <= _MAX_SECONDS:
                raise ConfigError(f"custody.{name} must be from 0.01 to {_MAX_SECONDS}")
        if not 1 <= self.checkpoint_entries <= 10_000_000:
            raise ConfigError("custody.checkpoint_entries must be from 1 to 10000000")
        if not 1 / 60 <= self.grant_minutes <= 24 * 60:
            raise ConfigError("custody.grant_minutes must be from 1/60 to 1440")
        if not 1 <= self.fixity_days <= 3660:
            raise ConfigError("custody.fixity_days must be from 1 to 3660")
