"""The server's books opened on the server host, for command-line work (no HTTP, no
server key created): each command builds the one service it needs from them
(``ingest.wiring``); and the person a command's ``--by`` names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from evidence.errors import UnknownUser, UserDisabled
from evidence.tlog.leaf_parts import Actor
from ingest.access.actors import actor_of
from ingest.startup import open_parts
from ingest.wiring import Parts
from liuhen.settings import Settings
from storage.records import UserRecord

__all__ = ["acting_actor", "acting_name", "acting_user", "server_books"]


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


async def acting_user(parts: Parts, name: str) -> UserRecord:
    """The person ``--by`` names, as the credentials store knows them. An unknown name or
    a disabled person is refused, as the HTTP API refuses their token: what is kept with
    a change names someone who may make it."""
    user = await parts.index.credentials.get_user(name)
    if user is None:
        raise UnknownUser(f"no user {name!r}; add one with 'liuhen users add'")
    if user.disabled_at is not None:
        raise UserDisabled(f"user {name} is disabled; an admin can 'liuhen users enable {name}'")
    return user


async def acting_actor(parts: Parts, name: str) -> Actor:
    """``acting_user`` as the custody log records them: their name and role."""
    return actor_of(await acting_user(parts, name))


async def acting_name(parts: Parts, name: str) -> str:
    """``acting_user``'s name: what a change keeps of who made it."""
    return (await acting_user(parts, name)).name
