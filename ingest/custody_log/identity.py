"""The custody log's key and origin.

The log signs with its own Ed25519 key, ``keys/log.pem``, never the server's (a receipt
signature is over a DSSE envelope, a checkpoint's over raw text: keeping the keys apart
means neither can be taken for the other). The server makes it beside its own key on
first start. The origin, ``<custody.log_host>/liuhen/<8 hex of the log key>``
(docs/custody-log.md#origin), is kept by the index when the log starts and never
changes: a server whose host setting or log key no longer make that origin refuses to
start, instead of signing checkpoints of what would look like another log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from evidence.errors import ConfigError
from evidence.keys import Ed25519PrivateKey, Ed25519PublicKey
from evidence.tlog.checkpoint import log_origin
from evidence.tlog.note_keys import Ed25519NoteSigner, Ed25519NoteVerifier
from evidence.tlog.trust import LogTrust
from ingest.clock import Clock
from ingest.server_config import IngestConfig
from runtime.key_files import load_or_create_key, load_public_key
from storage.interfaces import LogOriginStore
from storage.log_records import LogOrigin

__all__ = ["LogIdentity", "ensure_log_key", "held_log_trust", "open_log_identity"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LogIdentity:
    """Which log this server keeps, and the key that signs its checkpoints."""

    origin: str
    signer: Ed25519NoteSigner

    @property
    def verifier(self) -> Ed25519NoteVerifier:
        return self.signer.verifier

    @property
    def vkey(self) -> str:
        return self.verifier.vkey()

    def trust(self) -> LogTrust:
        return LogTrust(self.origin, (self.verifier,))


def ensure_log_key(config: IngestConfig) -> Ed25519PrivateKey:
    """Load the log's key, creating it if missing (first start, or a server from before
    the log)."""
    return load_or_create_key(config.log_key_path, config.log_public_key_path, "custody-log key")


async def open_log_identity(
    log_store: LogOriginStore, key: Ed25519PrivateKey, host: str, clock: Clock
) -> LogIdentity:
    """The log's identity: the origin it was started with, which this host and key must
    still make."""
    origin = log_origin(host, key.public_key())
    signer = Ed25519NoteSigner(origin, key)
    kept = await log_store.origin(LogOrigin(origin, signer.verifier.vkey(), clock()))
    if kept.origin != origin:
        raise ConfigError(
            f"this index's custody log is {kept.origin}, but custody.log_host ({host}) and "
            f"keys/log.pem make {origin}: a log's origin never changes; restore the log's "
            "key and its host setting"
        )
    return LogIdentity(origin, signer)


async def held_log_trust(log_store: LogOriginStore, config: IngestConfig) -> LogTrust | None:
    """What a command on the server host trusts the log by: the origin the index keeps and
    the public key in keys/log.pub.pem (not the index's copy of it). None before the log
    has started."""
    kept = await log_store.stored_origin()
    if kept is None:
        return None
    public: Ed25519PublicKey = load_public_key(config.log_public_key_path)
    return LogTrust(kept.origin, (Ed25519NoteVerifier(kept.origin, public),))
