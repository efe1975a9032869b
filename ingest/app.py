"""Wiring: open the books, build the aiohttp application."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version

from aiohttp import web

from evidence.case_number import CaseNumberRule
from evidence.errors import KeyFileError
from evidence.keys import Ed25519PrivateKey, generate_key_pair, load_private_key
from evidence.private_files import secure_data_dir
from evidence.wire import HEALTH
from ingest.auth import bound_legacy_tokens
from ingest.compliance.config import ComplianceConfig
from ingest.config import IngestConfig
from ingest.context import CONTEXT, ServerContext, utc_now
from ingest.handlers_compliance import add_compliance_routes
from ingest.handlers_custodian import add_custodian_routes
from ingest.handlers_device import add_device_routes
from ingest.handlers_flags import add_flag_routes
from ingest.handlers_media import add_media_routes
from ingest.handlers_tus import add_tus_routes
from ingest.http import error_middleware, tus_middleware
from ingest.method_override import method_override_middleware
from ingest.server_device import ensure_server_device
from ingest.sweeper import sweeper_context
from ingest.upload_area import UploadArea
from storage.backends import open_blob_store, open_index

__all__ = ["build_app", "ensure_server_key", "open_context"]

log = logging.getLogger(__name__)


def _software() -> str:
    try:
        return f"liuhen-ingest/{version('liuhen')}"
    except PackageNotFoundError:
        return "liuhen-ingest/unknown"


# Reported by /healthz: agents try held manifests again when it (or the key) changes.
SOFTWARE = _software()


def ensure_server_key(config: IngestConfig) -> Ed25519PrivateKey:
    """Load the server's signing key, creating it on first start (like an SSH host key)."""
    path = config.server_key_path
    if not path.exists():
        log.warning("no server key at %s; generating one", path)
        try:
            return generate_key_pair(path, config.server_public_key_path)
        except KeyFileError:
            pass  # another process created it first
    return load_private_key(path)


async def open_context(
    config: IngestConfig,
    case_rule: CaseNumberRule,
    clock: Callable[[], datetime] = utc_now,
    compliance: ComplianceConfig | None = None,
) -> ServerContext:
    secure_data_dir(config.data_dir)
    key = ensure_server_key(config)
    compliance = compliance or ComplianceConfig()
    index = await open_index(
        config.index,
        config.index_path,
        claim_tolerance_seconds=compliance.claim_tolerance_seconds,  # for an upgrade's flags
    )
    await ensure_server_device(index, key)
    await bound_legacy_tokens(index.credentials, clock(), config.user_token_ttl)
    return ServerContext(
        config=config,
        index=index,
        store=open_blob_store(config.blob_store, config.store_dir),
        area=UploadArea(config.uploads_dir),
        server_key=key,
        case_rule=case_rule,
        clock=clock,
        compliance=compliance,
    )


async def health(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return web.json_response(
        {"status": "ok", "server_key_id": ctx.server_key_id, "software": SOFTWARE}
    )


def build_app(ctx: ServerContext) -> web.Application:
    # Outermost first; the method override is innermost, so it sees the routed handler.
    middlewares = [tus_middleware, error_middleware, method_override_middleware]
    app = web.Application(middlewares=middlewares)
    app[CONTEXT] = ctx
    app.router.add_get(HEALTH, health)
    add_tus_routes(app)
    add_device_routes(app)
    add_custodian_routes(app)
    add_flag_routes(app)
    add_media_routes(app)
    add_compliance_routes(app)
    app.cleanup_ctx.append(sweeper_context)
    return app
