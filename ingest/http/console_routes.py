"""The console's door and its routes: the static files, sign-in and sign-out, and every
page (``console_pages``, ``console_footage``, ``console_desk``) added through
``console_guard.console_route`` (docs/console.md).

Signing in takes a name and password from a form guarded by a double-submit cookie (no
session yet to bind a token to); the session is the API's own, its token kept in an
HttpOnly, SameSite=Strict cookie (Secure when the request came over TLS), so a script
on the page cannot read it and another site cannot send it.
"""

from __future__ import annotations

from importlib.resources import files

from aiohttp import web

from evidence.errors import LiuhenError
from ingest.access.person import Person
from ingest.console.csrf import check_csrf, csrf_for, fresh_token
from ingest.http.client_address import client_address
from ingest.http.console_desk import add_desk_routes
from ingest.http.console_footage import add_footage_routes
from ingest.http.console_guard import (
    CONSOLE,
    SESSION_COOKIE,
    SIGN_IN_PAGE,
    console_route,
    page,
    read_form,
    secured,
    session_secret,
)
from ingest.http.console_pages import CASES_PAGE, add_page_routes
from ingest.http.console_report import add_report_routes
from ingest.http.credentials import ANY_PERSON
from ingest.http.services import services

__all__ = ["SIGN_IN_COOKIE", "STATIC", "add_console_routes"]

SIGN_IN_COOKIE = "liuhen_sign_in"  # the double-submit value of the sign-in form
STATIC = CONSOLE + "/static/{name}"
_STATIC_TYPES = {"console.css": "text/css"}


def _cookie(request: web.Request, response: web.StreamResponse, name: str, value: str) -> None:
    response.set_cookie(
        name, value, path=CONSOLE, httponly=True, samesite="Strict", secure=request.secure
    )


async def get_static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in _STATIC_TYPES:
        raise web.HTTPNotFound()
    body = files("ingest.console").joinpath("static", name).read_bytes()
    response = web.Response(body=body, content_type=_STATIC_TYPES[name])
    response.headers["Cache-Control"] = "public, max-age=300"
    secured(response)
    return response


async def get_sign_in(request: web.Request, error: LiuhenError | None = None) -> web.Response:
    value = request.cookies.get(SIGN_IN_COOKIE) or fresh_token()
    status = 200 if error is None else error.status
    response = page(request, "sign_in.html", status, csrf=csrf_for(value), error=error)
    _cookie(request, response, SIGN_IN_COOKIE, value)
    return response


async def post_sign_in(request: web.Request) -> web.StreamResponse:
    try:
        form = await read_form(request)
        check_csrf(request.cookies.get(SIGN_IN_COOKIE), str(form.get("csrf", "")) or None)
        token, _ = await services(request).people.sign_in(
            str(form.get("name", "")), str(form.get("password", "")), client_address(request)
        )
    except LiuhenError as exc:
        return await get_sign_in(request, exc)
    response = web.HTTPSeeOther(CASES_PAGE)
    _cookie(request, response, SESSION_COOKIE, token)
    response.del_cookie(SIGN_IN_COOKIE, path=CONSOLE)
    raise response


async def post_sign_out(request: web.Request, person: Person) -> web.StreamResponse:
    secret, _ = session_secret(request)
    await services(request).people.sign_out(secret)
    response = web.HTTPSeeOther(SIGN_IN_PAGE)
    response.del_cookie(SESSION_COOKIE, path=CONSOLE)
    raise response


async def get_home(request: web.Request, person: Person) -> web.StreamResponse:
    raise web.HTTPSeeOther(CASES_PAGE)


def add_console_routes(app: web.Application) -> None:
    app.router.add_get(STATIC, get_static)
    app.router.add_get(SIGN_IN_PAGE, get_sign_in)
    app.router.add_post(SIGN_IN_PAGE, post_sign_in)
    console_route(app, "GET", CONSOLE, get_home, ANY_PERSON)
    console_route(app, "POST", CONSOLE + "/sign-out", post_sign_out, ANY_PERSON)
    add_page_routes(app)
    add_footage_routes(app)
    add_desk_routes(app)
    add_report_routes(app)
