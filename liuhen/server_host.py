"""The server's books opened on the server host, for command-line work (no HTTP), and the
person a command's ``--by`` names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from evidence.errors import UnknownUser, UserDisabled
from ingest.app import open_context
from ingest.context import ServerContext
from liuhen.settings import Settings
from storage.records import UserRecord

__all__ = ["acting_user", "server_books"]


@asynccontextmanager
async def server_books(settings: Settings) -> AsyncIterator[ServerContext]:
    ctx = await open_context(
        settings.server, settings.case_numbers.rule(), compliance=settings.compliance
    )
    try:
        yield ctx
    finally:
        await ctx.index.close()


async def acting_user(ctx: ServerContext, name: str) -> UserRecord:
    """The person ``--by`` names, as the credentials store knows them. An unknown name or
    a disabled person is refused, as the HTTP API refuses their token: what is kept with
    a change names someone who may make it."""
    user = await ctx.index.credentials.get_user(name)
    if user is None:
        raise UnknownUser(f"no user {name!r}; add one with 'liuhen users add'")
    if user.disabled_at is not None:
        raise UserDisabled(f"user {name} is disabled; an admin can 'liuhen users enable {name}'")
    return user
