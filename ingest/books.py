"""The server's books: its index and its blob store, opened for a configuration, and its
signing key loaded from where the server keeps it. What a command on the server host
opens; it builds no server and creates no key (the server creates its key on first
start, ``ingest.wiring``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from evidence.errors import KeyFileError
from evidence.footage_findings import DEFAULT_CLAIM_TOLERANCE_SECONDS
from evidence.keys import Ed25519PrivateKey, Ed25519PublicKey
from ingest.locks import InProcessLocks, KeyedLocks, locks_for
from ingest.server_config import IngestConfig
from runtime.key_files import load_private_key, load_public_key
from runtime.private_files import secure_data_dir
from storage.backends import open_blob_store, open_index
from storage.interfaces import BlobStore, Index

__all__ = ["Books", "load_server_key", "open_books", "server_public_key"]


@dataclass(frozen=True)
class Books:
    config: IngestConfig
    index: Index
    store: BlobStore
    # Upload, quota and chain locks: shared by every server on a PostgreSQL index.
    locks: KeyedLocks = field(default_factory=InProcessLocks)

    async def close(self) -> None:
        await self.locks.close()
        await self.index.close()


async def open_books(
    config: IngestConfig, claim_tolerance_seconds: float = DEFAULT_CLAIM_TOLERANCE_SECONDS
) -> Books:
    """Open the index and the store (the data directory made private first). An index
    kept by an earlier version is upgraded at open, raising the footage flags it finds
    with ``claim_tolerance_seconds``."""
    secure_data_dir(config.data_dir)
    index = await open_index(
        config.index,
        config.index_path,
        claim_tolerance_seconds=claim_tolerance_seconds,
        **config.index_options(),
    )
    try:
        options = {**config.store_options(), **config.lock_options()}
        store = open_blob_store(config.blob_store, config.store_dir, **options)
    except BaseException:
        await index.close()
        raise
    return Books(config, index, store, locks_for(config.index, config.postgres.dsn))


def _missing(path: str) -> KeyFileError:
    return KeyFileError(
        f"no server key at {path}: the server makes it on its first start "
        "(liuhen ingest serve), or make it with liuhen keys generate --server"
    )


def load_server_key(config: IngestConfig) -> Ed25519PrivateKey:
    """The server's signing key; never created here."""
    if not config.server_key_path.exists():
        raise _missing(str(config.server_key_path))
    return load_private_key(config.server_key_path)


def server_public_key(config: IngestConfig) -> Callable[[], Ed25519PublicKey]:
    """The server's public key, read from its file when first asked for (a command that
    finds nothing to check never needs it)."""

    @functools.cache
    def load() -> Ed25519PublicKey:
        if not config.server_public_key_path.exists():
            raise _missing(str(config.server_public_key_path))
        return load_public_key(config.server_public_key_path)

    return load
