"""Everything a request handler may reach, built once at start-up."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web

from evidence.case_number import CaseNumberRule
from evidence.digest import StreamingFingerprint
from evidence.keys import Ed25519PrivateKey, key_id
from evidence.manifest import Manifest
from ingest.compliance.config import ComplianceConfig
from ingest.server_config import IngestConfig
from ingest.uploads.area import UploadArea
from storage.interfaces import BlobStore, Index

__all__ = ["CONTEXT", "OpenUpload", "ServerContext", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class OpenUpload:
    """What the server keeps in memory for an upload taking bytes: its parsed manifest and
    the running fingerprint of the committed bytes, so each byte is hashed once as it
    arrives. Lost on restart and rebuilt from the index and the partial file."""

    manifest: Manifest
    fingerprint: StreamingFingerprint


@dataclass
class ServerContext:
    config: IngestConfig
    index: Index
    store: BlobStore
    area: UploadArea
    server_key: Ed25519PrivateKey
    case_rule: CaseNumberRule
    clock: Callable[[], datetime] = utc_now
    compliance: ComplianceConfig = field(default_factory=ComplianceConfig)
    open_uploads: dict[str, OpenUpload] = field(default_factory=dict)
    # The server signs what custodians attach (transcripts) as its own device; one at a
    # time, so its manifest chain never forks.
    signing: asyncio.Lock = field(default_factory=asyncio.Lock)
    _locks: weakref.WeakValueDictionary[str, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary
    )

    @property
    def server_key_id(self) -> str:
        return key_id(self.server_key.public_key())

    def lock_for(self, key: str) -> asyncio.Lock:
        """One lock per key in this process: per upload id (a PATCH or finalize at a
        time), or per ``chain:``/``quota:`` and a device id (its registrations, its
        upload creations)."""
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock


CONTEXT = web.AppKey("liuhen_context", ServerContext)
