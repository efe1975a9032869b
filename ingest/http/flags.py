"""Flags over HTTP (people only): those who read records list them; those who approve
(supervisors, admins) resolve one, with why (the custodian who keeps the footage does
not close the questions about it). Flags span every case, so a person limited to some
cases reads them on each recording instead. Thin: parse, call the flag desk
(``custody/flags.py``), answer."""

from __future__ import annotations

from aiohttp import web

from evidence.wire import FLAG_RESOLVE, FLAGS
from ingest.access.actors import actor_of
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.compliance import forms
from ingest.custody.flags import flag_json
from ingest.http.bodies import read_json
from ingest.http.guard import person_route
from ingest.http.services import services

__all__ = ["add_flag_routes"]


async def get_flags(request: web.Request, person: Person) -> web.Response:
    services(request).gate.every_case(person, "the list of flags")
    kind, is_open = forms.flag_filters(request.query)
    limit, offset = forms.page(request.query)
    found = await services(request).flags.find(kind, is_open, limit=limit, offset=offset)
    return web.json_response({"flags": [flag_json(flag) for flag in found]})


async def post_resolution(request: web.Request, person: Person) -> web.Response:
    services(request).gate.every_case(person, "resolving a flag")
    flag_id = forms.path_id(request.match_info["flag_id"], "a flag id")
    reason = forms.reason_form(await read_json(request))
    resolved = await services(request).flags.resolve(flag_id, reason, actor_of(person))
    return web.json_response(flag_json(resolved))


def add_flag_routes(app: web.Application) -> None:
    person_route(app, "GET", FLAGS, get_flags, Action.READ_RECORDS)
    person_route(app, "POST", FLAG_RESOLVE, post_resolution, Action.APPROVE)
