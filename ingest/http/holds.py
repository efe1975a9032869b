"""Legal holds and the retention report over HTTP (people only; docs/retention.md).
Custodians and supervisors set and lift holds, with why; whoever reads the report reads
holds and retention. A person limited to some cases holds and reads only those. Thin:
parse, gate, call the hold desk (``custody/holds.py``) or the report, answer."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from evidence.errors import MalformedBody, UnknownHold
from evidence.identifiers import EvidenceId
from evidence.strict_json import Fields
from evidence.wire import HOLD_LIFT, HOLDS, RETENTION
from ingest.access.actors import actor_of
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.compliance import forms
from ingest.custody.holds import HoldTarget, hold_json, hold_target
from ingest.free_text import check_text
from ingest.http.bodies import read_json
from ingest.http.guard import person_route
from ingest.http.services import services

__all__ = ["add_hold_routes"]


async def _gate(request: web.Request, person: Person, target: HoldTarget) -> None:
    gate = services(request).gate
    if target.case_number is not None:
        await gate.case(person, target.case_number)
    elif target.evidence_id is not None:
        await gate.recording(person, target.evidence_id)


def _query_target(request: web.Request) -> HoldTarget:
    case = request.query.get("case_number") or None
    evidence = request.query.get("evidence_id") or None
    return HoldTarget(case, None if evidence is None else EvidenceId(evidence))


async def get_holds(request: web.Request, person: Person) -> web.Response:
    target = _query_target(request)
    if target.case_number is None and target.evidence_id is None:
        services(request).gate.every_case(person, "the list of holds")
    await _gate(request, person, target)
    standing = request.query.get("all") not in {"1", "true"}
    limit, offset = forms.page(request.query)
    desk = services(request).keeping.holds
    found = await desk.holds.find(
        target.case_number, target.evidence_id, standing, limit=limit, offset=offset
    )
    return web.json_response({"holds": [hold_json(hold) for hold in found]})


async def post_hold(request: web.Request, person: Person) -> web.Response:
    target, reason = hold_target(await read_json(request))
    await _gate(request, person, target)
    held = await services(request).keeping.holds.set(target, reason, actor_of(person))
    return web.json_response(hold_json(held), status=201)


def _lift_form(body: dict[str, Any]) -> str:
    fields = Fields(body, MalformedBody)
    reason = check_text("reason", fields.text("reason", max_length=1024), 1024)
    fields.done()
    return str(reason)


async def post_lift(request: web.Request, person: Person) -> web.Response:
    hold_id = forms.path_id(request.match_info["hold_id"], "a hold id")
    reason = _lift_form(await read_json(request))
    desk = services(request).keeping.holds
    held = await desk.holds.hold(hold_id)
    if held is None:
        raise UnknownHold(f"no legal hold {hold_id}")
    await _gate(request, person, HoldTarget(held.case_number, held.evidence_id))
    lifted = await desk.lift(hold_id, reason, actor_of(person))
    return web.json_response(hold_json(lifted))


async def get_retention(request: web.Request, person: Person) -> web.Response:
    evidence = request.query.get("evidence_id") or None
    ids = None if evidence is None else [EvidenceId(evidence)]
    if ids is None:
        services(request).gate.every_case(person, "the retention report")
    else:
        await services(request).gate.recording(person, ids[0])
    limit, offset = forms.page(request.query)
    report = services(request).keeping.report
    lines = await report.lines(ids, limit, offset)
    classes = [{"name": c.name, "period": str(c.period)} for c in report.classes.classes.values()]
    body = {
        "default": report.classes.default.name,
        "classes": classes,
        "recordings": [line.to_json() for line in lines],
    }
    return web.json_response(body)


def add_hold_routes(app: web.Application) -> None:
    person_route(app, "GET", HOLDS, get_holds, Action.READ_REPORT)
    person_route(app, "POST", HOLDS, post_hold, Action.HOLD)
    person_route(app, "POST", HOLD_LIFT, post_lift, Action.HOLD)
    person_route(app, "GET", RETENTION, get_retention, Action.READ_REPORT)
