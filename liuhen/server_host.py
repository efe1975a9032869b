"""The server's books opened on the server host, for bootstrapping (the first admin,
devices, upgrade checks): no HTTP, no server key created; each command builds the one
service it needs from them (``ingest.wiring``). Everything a person does goes through the
API instead, as the person who signed in (``liuhen/cli_login.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ingest.startup import open_parts
from ingest.wiring import Parts
from liuhen.settings import Settings

__all__ = ["server_books"]


@asynccontextmanager
async def server_books(settings: Settings) -> AsyncIterator[Parts]:
    parts = await open_parts(
        settings.server,
        settings.case_numbers.rule(),
        compliance=settings.compliance,
        custody=settings.custody,
    )
    try:
        yield parts
    finally:
        await parts.books.close()
