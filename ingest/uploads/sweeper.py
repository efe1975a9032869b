"""Expire uploads nobody finished in time. Only partial transfer files are removed: the
device still holds the original, because it has no receipt for it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from ingest.context import CONTEXT, ServerContext
from ingest.uploads.session import retire
from storage.records import UploadState

__all__ = ["sweep_expired", "sweeper_context"]

log = logging.getLogger(__name__)


async def sweep_expired(ctx: ServerContext) -> int:
    expired = 0
    for upload in await ctx.index.uploads.expired(ctx.clock()):
        lock = ctx.lock_for(upload.upload_id)
        if lock.locked():
            continue  # a request is using it right now; next sweep
        async with lock:
            await retire(ctx, upload.upload_id, UploadState.EXPIRED)
        expired += 1
        log.info(
            "upload %s expired at offset %d of %d", upload.upload_id, upload.offset, upload.length
        )
    return expired


async def _sweep_forever(ctx: ServerContext) -> None:
    while True:
        await asyncio.sleep(ctx.config.sweep_interval_seconds)
        try:
            await sweep_expired(ctx)
        except Exception:
            log.exception("expiry sweep failed; will try again")


async def sweeper_context(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(_sweep_forever(app[CONTEXT]), name="upload-sweeper")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
