"""Who is calling: the bearer token of a request, handed to the access services, which
know tokens but not requests."""

from __future__ import annotations

from aiohttp import web

from evidence.errors import Unauthenticated
from ingest.access.people import USER_ROLES
from ingest.http.services import services
from storage.records import DeviceRecord, UserRecord

__all__ = ["bearer", "signed_in_device", "signed_in_user"]


def bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send Authorization: Bearer <token>")
    return token.strip()


async def signed_in_device(request: web.Request) -> DeviceRecord:
    """The active device behind this request's bearer token."""
    return await services(request).sign_in.device(bearer(request))


async def signed_in_user(request: web.Request, roles: tuple[str, ...] = USER_ROLES) -> UserRecord:
    """The enabled person behind this request's unexpired API token, in one of ``roles``."""
    return await services(request).people.authenticate(bearer(request), roles)
