"""The server's books opened on the server host, for command-line work (no HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ingest.context import ServerContext
from ingest.http.app import open_context
from liuhen.settings import Settings

__all__ = ["server_books"]


@asynccontextmanager
async def server_books(settings: Settings) -> AsyncIterator[ServerContext]:
    ctx = await open_context(
        settings.server, settings.case_numbers.rule(), compliance=settings.compliance
    )
    try:
        yield ctx
    finally:
        await ctx.index.close()
