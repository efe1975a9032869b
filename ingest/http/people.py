"""People over HTTP: sign in (a name and a password give a session token), who am I,
sign out, change one's own password; and, for admins, people: add, list, set a
password, disable, enable, issue an API token, limit their cases. Thin: parse, call
``access/``, answer. No body names who acts: that is the signed-in person."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from evidence.errors import UnknownUser
from evidence.strict_json import format_time
from evidence.wire import (
    SIGN_IN,
    SIGN_IN_PASSWORD,
    USER_ACCESS,
    USER_DISABLE,
    USER_ENABLE,
    USER_PASSWORD,
    USER_TOKEN,
    USERS,
)
from ingest.access import people_forms as forms
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.access.tokens import IssuedToken
from ingest.http.bodies import read_json
from ingest.http.client_address import client_address
from ingest.http.credentials import ANY_PERSON, bearer
from ingest.http.guard import person_route
from ingest.http.services import services
from storage.records import UserRecord

__all__ = ["add_people_routes"]


def _time(moment: Any) -> str | None:
    return None if moment is None else format_time(moment)


def _user_json(user: UserRecord) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role,
        "created_at": format_time(user.created_at),
        "disabled_at": _time(user.disabled_at),
    }


def _token_json(issued: IssuedToken) -> dict[str, Any]:
    return {"token": issued.token, "expires_at": format_time(issued.expires_at)}


async def sign_in(request: web.Request) -> web.Response:
    name, password = forms.sign_in_form(await read_json(request))
    people = services(request).people
    token, person = await people.sign_in(name, password, client_address(request))
    idle = people.rules.idle.total_seconds() // 60
    body = {"token": token, "idle_minutes": int(idle), **person.to_json()}
    return web.json_response(body, status=201)


async def who_am_i(request: web.Request, person: Person) -> web.Response:
    return web.json_response(person.to_json())


async def sign_out(request: web.Request, person: Person) -> web.Response:
    await services(request).people.sign_out(bearer(request))
    return web.Response(status=204)


async def change_password(request: web.Request, person: Person) -> web.Response:
    current, new = forms.password_change_form(await read_json(request))
    await services(request).people.change_password(person, current, new)
    return web.Response(status=204)


async def list_people(request: web.Request, person: Person) -> web.Response:
    found = []
    for item in await services(request).users.listing():
        found.append({**_user_json(item.user), **item.details})
    return web.json_response({"users": found})


async def add_person(request: web.Request, person: Person) -> web.Response:
    name, role, password = forms.new_user_form(await read_json(request))
    user = await services(request).users.add(name, role, password, person.name)
    return web.json_response({**_user_json(user), "must_change_password": True}, status=201)


async def _named(request: web.Request) -> str:
    name = request.match_info["name"]
    if await services(request).users.credentials.get_user(name) is None:
        raise UnknownUser(f"no user {name!r}")
    return name


async def set_password(request: web.Request, person: Person) -> web.Response:
    name = await _named(request)
    password = forms.password_form(await read_json(request))
    must_change = name != person.name  # an admin's own password is theirs
    await services(request).users.set_password(name, password, person.name, must_change)
    return web.json_response({"name": name, "must_change_password": must_change})


async def disable(request: web.Request, person: Person) -> web.Response:
    return web.json_response(
        _user_json(await services(request).users.disable(await _named(request)))
    )


async def enable(request: web.Request, person: Person) -> web.Response:
    return web.json_response(
        _user_json(await services(request).users.enable(await _named(request)))
    )


async def issue_token(request: web.Request, person: Person) -> web.Response:
    issued = await services(request).users.issue_token(await _named(request), person.name)
    return web.json_response(_token_json(issued), status=201)


async def set_access(request: web.Request, person: Person) -> web.Response:
    name = await _named(request)
    all_cases, cases, agencies = forms.access_form(await read_json(request))
    access = await services(request).users.set_access(name, all_cases, cases, agencies, person.name)
    return web.json_response({"name": name, **access.to_json()})


def add_people_routes(app: web.Application) -> None:
    app.router.add_post(SIGN_IN, sign_in)  # the one people route before anyone signed in
    person_route(app, "GET", SIGN_IN, who_am_i, ANY_PERSON)
    person_route(app, "DELETE", SIGN_IN, sign_out, ANY_PERSON)
    person_route(app, "PUT", SIGN_IN_PASSWORD, change_password, ANY_PERSON)
    person_route(app, "GET", USERS, list_people, Action.MANAGE_USERS)
    person_route(app, "POST", USERS, add_person, Action.MANAGE_USERS)
    person_route(app, "POST", USER_PASSWORD, set_password, Action.MANAGE_USERS)
    person_route(app, "POST", USER_DISABLE, disable, Action.MANAGE_USERS)
    person_route(app, "POST", USER_ENABLE, enable, Action.MANAGE_USERS)
    person_route(app, "POST", USER_TOKEN, issue_token, Action.MANAGE_USERS)
    person_route(app, "PUT", USER_ACCESS, set_access, Action.MANAGE_USERS)
