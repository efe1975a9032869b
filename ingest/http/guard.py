"""Every route a person calls names the action it needs (``ingest/access/permissions.py``),
and is added through ``person_route``: the person is authenticated, their role checked
against the table, and only then is the handler called, with the person. So no handler
can forget the check, and what it records as "who" is the person who signed in.

The action of each route is kept on the application (``ROUTE_ACTIONS``): the role-by-route
test walks every route of the app and refuses one that a person may call without it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.http.credentials import ANY_PERSON, bearer, check_action
from ingest.http.services import services

__all__ = ["ANY_PERSON", "ROUTE_ACTIONS", "PersonHandler", "check_action", "person_route"]

PersonHandler = Callable[[web.Request, Person], Awaitable[web.StreamResponse]]

ROUTE_ACTIONS = web.AppKey("liuhen_route_actions", dict[tuple[str, str], str])


def person_route(
    app: web.Application, method: str, path: str, handler: PersonHandler, action: Action | str
) -> None:
    """Add a route that a signed-in person with ``action`` calls (or ``ANY_PERSON``)."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        person = await services(request).people.authenticate(bearer(request))
        check_action(person, action)
        return await handler(request, person)

    app.router.add_route(method, path, guarded)
    app.setdefault(ROUTE_ACTIONS, {})[(method, path)] = str(action)
