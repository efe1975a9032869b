"""Every console page and form is added through ``console_route``: the person comes from
the console's session cookie (or, for scripts and the role-by-route test, a bearer token),
their role is checked against the table of ``ingest/access/permissions.py``, a form's
CSRF token against their session, and only then is the handler called. Every answer
carries the console's security headers; an error is a page with its stable code for a
browser and the API's JSON for anyone else (docs/console.md#security)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from multidict import MultiDictProxy

from evidence.errors import LiuhenError, MalformedBody, Unauthenticated
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.console.csrf import check_csrf, csrf_for
from ingest.console.render import language, render
from ingest.http.credentials import check_action
from ingest.http.guard import ROUTE_ACTIONS
from ingest.http.services import services

__all__ = [
    "CONSOLE",
    "LANG_COOKIE",
    "SESSION_COOKIE",
    "SIGN_IN_PAGE",
    "ConsoleHandler",
    "console_route",
    "lang_of",
    "page",
    "secured",
    "session_secret",
]

CONSOLE = "/console"
SESSION_COOKIE = "liuhen_console"
LANG_COOKIE = "liuhen_lang"
SIGN_IN_PAGE = CONSOLE + "/sign-in"

# No inline script or style anywhere: what runs is the app's own static files.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

ConsoleHandler = Callable[[web.Request, Person], Awaitable[web.StreamResponse]]


def secured(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def lang_of(request: web.Request) -> str:
    return language(request.query.get("lang") or request.cookies.get(LANG_COOKIE))


def page(request: web.Request, template: str, status: int = 200, **values: object) -> web.Response:
    """A rendered page in the request's language (a ``?lang=`` choice is remembered)."""
    lang = lang_of(request)
    values.setdefault("person", None)
    cookie = request.cookies.get(SESSION_COOKIE)
    values.setdefault("csrf", csrf_for(cookie) if cookie else "")
    body = render(template, lang, path=request.path, **values)
    response = web.Response(text=body, status=status, content_type="text/html")
    if request.query.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, path=CONSOLE, httponly=True, samesite="Strict")
    secured(response)
    return response


def session_secret(request: web.Request) -> tuple[str, bool]:
    """The session token and whether it came from the cookie (forms then need CSRF)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie, True
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), False
    raise Unauthenticated("sign in at " + SIGN_IN_PAGE)


def _browser(request: web.Request) -> bool:
    return "text/html" in request.headers.get("Accept", "") or SESSION_COOKIE in request.cookies


def _refused(request: web.Request, error: LiuhenError) -> web.StreamResponse:
    if not _browser(request):
        raise error  # the API's JSON error, with its code
    if isinstance(error, Unauthenticated) and request.method == "GET":
        raise web.HTTPSeeOther(SIGN_IN_PAGE)
    return page(request, "error.html", status=error.status, error=error)


async def read_form(
    request: web.Request,
) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The form a console page posted. aiohttp's reader raises ValueError for a multipart
    body that is not what its Content-Type says (no boundary, a field without a name): the
    sender's fault, so 400 ``bad_body``, never a 500."""
    try:
        return await request.post()
    except ValueError as exc:
        raise MalformedBody(f"the form could not be read: {exc}") from None


def console_route(
    app: web.Application, method: str, path: str, handler: ConsoleHandler, action: Action | str
) -> None:
    """Add a console page or form that a signed-in person with ``action`` may use."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            secret, from_cookie = session_secret(request)
            person = await services(request).people.authenticate(secret)
            check_action(person, action)
            if method == "POST" and from_cookie:
                form = await read_form(request)
                check_csrf(secret, str(form.get("csrf", "")) or None)
            response = await handler(request, person)
            return response if response.prepared else secured(response)
        except LiuhenError as exc:
            return _refused(request, exc)

    app.router.add_route(method, path, guarded)
    app.setdefault(ROUTE_ACTIONS, {})[(method, path)] = str(action)
