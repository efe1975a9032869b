"""Who is calling: the bearer token of a request, handed to the access services, which
know tokens but not requests."""

from __future__ import annotations

from aiohttp import web

from evidence.errors import Forbidden, PasswordChangeRequired, Unauthenticated
from ingest.access.permissions import USER_ROLES, Action, may, roles_for
from ingest.access.person import Person
from ingest.http.services import services
from storage.records import DeviceRecord

__all__ = ["ANY_PERSON", "bearer", "check_action", "signed_in_device", "signed_in_user"]

# The routes every signed-in person may call about themselves: who am I, sign out, change
# my password (the last also before an admin's first password is changed).
ANY_PERSON = "any_person"


def check_action(person: Person, action: Action | str) -> None:
    """Refuse a person whose role may not do ``action`` (403 ``forbidden``), or who must
    first change the password an admin gave them (403 ``password_change_required``)."""
    if person.must_change_password and action != ANY_PERSON:
        raise PasswordChangeRequired(
            f"user {person.name} must choose a new password first: liuhen login "
            "(or PUT /api/v1/session/password)"
        )
    if isinstance(action, Action) and not may(person.role, action):
        raise Forbidden(
            f"role {person.role} may not {action.value.replace('_', ' ')}; "
            f"needs one of {', '.join(roles_for(action))}"
        )


def bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send Authorization: Bearer <token>")
    return token.strip()


async def signed_in_device(request: web.Request) -> DeviceRecord:
    """The active device behind this request's bearer token."""
    return await services(request).sign_in.device(bearer(request))


async def signed_in_user(request: web.Request, roles: tuple[str, ...] = USER_ROLES) -> Person:
    """The enabled person behind this request's session or API token, in one of ``roles``:
    ``.name`` and ``.role`` are who acted and in which role. Routes added with
    ``guard.person_route`` are handed the person instead, checked against the table of
    ``ingest/access/permissions.py``."""
    person = await services(request).people.authenticate(bearer(request))
    check_action(person, "read")  # a person who must change their password does only that
    if person.role not in roles:
        raise Forbidden(f"role {person.role} may not do this; needs one of {', '.join(roles)}")
    return person
