"""Opening the server: its books, its signing key (created on its first start, like an SSH
host key), its own device, and every service. Commands on the server host open only the
parts (``open_parts``): they create no key."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from evidence.case_number import CaseNumberRule
from evidence.keys import Ed25519PrivateKey
from ingest.access.devices import ensure_server_device
from ingest.access.people import bound_legacy_tokens
from ingest.books import open_books
from ingest.clock import Clock, utc_now
from ingest.compliance.config import ComplianceConfig
from ingest.custody_log.config import CustodyConfig
from ingest.custody_log.identity import LogIdentity, ensure_log_key, open_log_identity
from ingest.server_config import IngestConfig
from ingest.uploads.open_uploads import OpenUpload
from ingest.wiring import Parts, Services, build_services
from runtime.key_files import load_or_create_key
from storage.interfaces import BlobStore, Index, UploadArea

__all__ = ["IngestServer", "ensure_server_key", "open_parts", "open_server"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestServer:
    """The server's books, key and services, open; ``http/server.py`` serves them."""

    parts: Parts
    server_key: Ed25519PrivateKey
    log: LogIdentity
    services: Services

    @property
    def config(self) -> IngestConfig:
        return self.parts.config

    @property
    def compliance(self) -> ComplianceConfig:
        return self.parts.compliance

    @property
    def case_rule(self) -> CaseNumberRule:
        return self.parts.case_rule

    @property
    def index(self) -> Index:
        return self.parts.index

    @property
    def store(self) -> BlobStore:
        return self.parts.books.store

    @property
    def area(self) -> UploadArea:
        return self.services.uploads.area

    @property
    def open_uploads(self) -> dict[str, OpenUpload]:
        return self.services.uploads.open_uploads.held

    async def close(self) -> None:
        await self.parts.books.close()


def ensure_server_key(config: IngestConfig) -> Ed25519PrivateKey:
    """Load the server's signing key, creating it on first start (like an SSH host key)."""
    return load_or_create_key(config.server_key_path, config.server_public_key_path, "server key")


async def open_parts(
    config: IngestConfig,
    case_rule: CaseNumberRule,
    clock: Clock = utc_now,
    compliance: ComplianceConfig | None = None,
    custody: CustodyConfig | None = None,
) -> Parts:
    """The books, opened, with what services are built from; no key is touched."""
    compliance = compliance or ComplianceConfig()
    # The index flags what an upgrade finds with the compliance tolerance in force.
    books = await open_books(config, compliance.claim_tolerance_seconds)
    try:
        await bound_legacy_tokens(books.index.credentials, clock(), config.user_token_ttl)
    except BaseException:
        await books.close()
        raise
    return Parts(books, case_rule, clock, compliance, custody or CustodyConfig())


async def open_server(
    config: IngestConfig,
    case_rule: CaseNumberRule,
    clock: Clock = utc_now,
    compliance: ComplianceConfig | None = None,
    custody: CustodyConfig | None = None,
) -> IngestServer:
    """Everything the server serves: the books, the keys (the server's and the custody
    log's, made if missing), its own device, the log's origin, and every service built
    once."""
    parts = await open_parts(config, case_rule, clock, compliance, custody)
    try:
        key = ensure_server_key(config)
        await ensure_server_device(parts.index.devices, key)
        log = await open_log_identity(
            parts.index.log, ensure_log_key(config), parts.custody.log_host, clock
        )
        services = build_services(parts, key, log)
        # A crash may have left partial files nobody will finish: reclaim them now.
        await services.sweeper.orphans.sweep()
        # Store locks S3 did not take before the server stopped (it was away).
        await services.keeping.locks.catch_up()
    except BaseException:
        await parts.books.close()
        raise
    return IngestServer(parts, key, log, services)
