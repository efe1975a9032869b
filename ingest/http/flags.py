"""Flags over HTTP (user tokens only): anyone with one lists them; supervisors and admins
resolve one, with why (the custodian who keeps the footage does not close the questions
about it). Thin: parse, authorise, call the flag desk (``custody/flags.py``), answer."""

from __future__ import annotations

from aiohttp import web

from evidence.wire import FLAG_RESOLVE, FLAGS
from ingest.access.actors import actor_of
from ingest.compliance import forms
from ingest.compliance.roles import APPROVERS
from ingest.custody.flags import flag_json
from ingest.http.bodies import read_json
from ingest.http.credentials import signed_in_user
from ingest.http.services import services

__all__ = ["add_flag_routes"]


async def get_flags(request: web.Request) -> web.Response:
    await signed_in_user(request)
    kind, is_open = forms.flag_filters(request.query)
    limit, offset = forms.page(request.query)
    found = await services(request).flags.find(kind, is_open, limit=limit, offset=offset)
    return web.json_response({"flags": [flag_json(flag) for flag in found]})


async def post_resolution(request: web.Request) -> web.Response:
    user = await signed_in_user(request, APPROVERS)
    flag_id = forms.path_id(request.match_info["flag_id"], "a flag id")
    reason = forms.reason_form(await read_json(request))
    resolved = await services(request).flags.resolve(flag_id, reason, actor_of(user))
    return web.json_response(flag_json(resolved))


def add_flag_routes(app: web.Application) -> None:
    app.router.add_get(FLAGS, get_flags)
    app.router.add_post(FLAG_RESOLVE, post_resolution)
