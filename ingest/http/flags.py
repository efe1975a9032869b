"""Flags over HTTP (user tokens only): anyone with one lists them; supervisors and admins
resolve one, with why (the custodian who keeps the footage does not close the questions
about it). Thin: parse, authorise, call ``ingest.custody.flags``, answer."""

from __future__ import annotations

from aiohttp import web

from evidence.wire import FLAG_RESOLVE, FLAGS
from ingest.access.device_sign_in import authenticate_user
from ingest.compliance import forms
from ingest.compliance.roles import APPROVERS
from ingest.context import CONTEXT
from ingest.custody.flags import flag_json, list_flags, resolve_flag
from ingest.http.middleware import read_json

__all__ = ["add_flag_routes"]


async def get_flags(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    await authenticate_user(ctx, request)
    kind, is_open = forms.flag_filters(request.query)
    limit, offset = forms.page(request.query)
    found = await list_flags(ctx, kind, is_open, limit=limit, offset=offset)
    return web.json_response({"flags": [flag_json(flag) for flag in found]})


async def post_resolution(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    user = await authenticate_user(ctx, request, APPROVERS)
    flag_id = forms.path_id(request.match_info["flag_id"], "a flag id")
    reason = forms.reason_form(await read_json(request))
    return web.json_response(flag_json(await resolve_flag(ctx, flag_id, reason, user.name)))


def add_flag_routes(app: web.Application) -> None:
    app.router.add_get(FLAGS, get_flags)
    app.router.add_post(FLAG_RESOLVE, post_resolution)
