"""The compliance JSON API (user tokens only): catalogue, cases and acts, coverage,
suggestions, exemptions and the report. Thin: parse, authorise, call the domain in
``ingest.compliance``, answer.

Roles (``ingest.compliance.roles``): anyone with a user token reads; custodians and
admins register and edit cases and acts and decide suggestions; supervisors and admins
exempt acts and withdraw exemptions (a custodian who keeps the footage does not excuse
its absence), and make the edits that move the window, type or case of an act whose duty
is full; only admins replace the catalogue.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from evidence.csv_table import decode_csv
from evidence.errors import BadRequest
from evidence.wire import (
    ACT,
    ACT_EXEMPTIONS,
    ACTS,
    ACTS_IMPORT,
    CASES,
    CASES_IMPORT,
    CATALOGUE,
    COVERAGE,
    CSV_CONTENT_TYPE,
    EXEMPTION_WITHDRAW,
    REPORT,
    SUGGESTION_CONFIRM,
    SUGGESTION_REJECT,
    SUGGESTIONS,
    UNASSIGNED,
)
from ingest.access.actors import actor_of
from ingest.compliance import forms, views
from ingest.compliance.act_matching import decide, list_suggestions, unassigned
from ingest.compliance.acts import edit_act, register_act, register_case
from ingest.compliance.assessment import act_detail, case_coverage
from ingest.compliance.catalogues import current_catalogue, import_catalogue
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.exemptions import exempt, withdraw
from ingest.compliance.imports import import_acts, import_cases
from ingest.compliance.report import DEFAULT_LIMIT, build_report
from ingest.compliance.roles import ADMINS, APPROVERS, EDITORS
from ingest.http.bodies import read_bounded, read_json, require_content_type
from ingest.http.credentials import signed_in_user
from ingest.http.services import services
from storage.compliance_records import Decision, ImportResult

__all__ = ["add_compliance_routes"]

_MAX_LIST = 100_000


def _desk(request: web.Request) -> ComplianceDesk:
    return services(request).compliance


async def _csv(request: web.Request, desk: ComplianceDesk) -> str:
    require_content_type(request, "the file", CSV_CONTENT_TYPE)
    body = await read_bounded(request, desk.settings.max_import_bytes, "CSV file")
    return decode_csv(body)


def _imported(result: ImportResult) -> web.Response:
    return web.json_response(
        {
            "cases_added": result.cases_added,
            "acts_added": result.acts_added,
            "acts_unchanged": result.acts_unchanged,
        }
    )


async def get_catalogue(request: web.Request) -> web.Response:
    desk = _desk(request)
    await signed_in_user(request)
    catalogue, version = await current_catalogue(desk)
    if request.query.get("format") == "csv":
        return web.Response(text=catalogue.to_csv(), content_type=CSV_CONTENT_TYPE)
    return web.json_response(
        {"version": version, "entries": [views.entry_json(e) for e in catalogue.entries]}
    )


async def put_catalogue(request: web.Request) -> web.Response:
    desk = _desk(request)
    user = await signed_in_user(request, ADMINS)
    version, catalogue = await import_catalogue(desk, await _csv(request, desk), user.name)
    return web.json_response({"version": version.version, "entries": len(catalogue.entries)})


async def post_case(request: web.Request) -> web.Response:
    desk = _desk(request)
    user = await signed_in_user(request, EDITORS)
    case_number, agency, subject = forms.case_form(await read_json(request))
    record, new = await register_case(desk, case_number, agency, subject, user.name)
    return web.json_response(views.case_json(record), status=201 if new else 200)


async def post_cases_import(request: web.Request) -> web.Response:
    desk = _desk(request)
    user = await signed_in_user(request, EDITORS)
    return _imported(await import_cases(desk, await _csv(request, desk), user.name))


async def post_act(request: web.Request) -> web.Response:
    desk = _desk(request)
    user = await signed_in_user(request, EDITORS)
    record, new = await register_act(desk, forms.act_form(await read_json(request)), user.name)
    return web.json_response(views.act_json(record), status=201 if new else 200)


async def post_acts_import(request: web.Request) -> web.Response:
    desk = _desk(request)
    user = await signed_in_user(request, EDITORS)
    return _imported(await import_acts(desk, await _csv(request, desk), user.name))


async def get_act(request: web.Request) -> web.Response:
    desk = _desk(request)
    await signed_in_user(request)
    act_id = forms.path_id(request.match_info["act_id"], "an act id")
    return web.json_response(await act_detail(desk, act_id))


async def patch_act(request: web.Request) -> web.Response:
    desk = _desk(request)
    user = await signed_in_user(request)  # which role may make which edit: edit_act decides
    act_id = forms.path_id(request.match_info["act_id"], "an act id")
    revision, changes, reason = forms.edit_form(await read_json(request))
    record = await edit_act(desk, act_id, changes, actor_of(user), reason, revision, user.role)
    return web.json_response(views.act_json(record))


async def post_exemption(request: web.Request) -> web.Response:
    desk = _desk(request)
    user = await signed_in_user(request, APPROVERS)
    act_id = forms.path_id(request.match_info["act_id"], "an act id")
    reason, approver, approved_at, note = forms.exemption_form(await read_json(request))
    record = await exempt(desk, act_id, reason, approver, approved_at, note, actor_of(user))
    return web.json_response(views.exemption_json(record), status=201)


async def post_withdrawal(request: web.Request) -> web.Response:
    desk = _desk(request)
    user = await signed_in_user(request, APPROVERS)
    exemption_id = forms.path_id(request.match_info["exemption_id"], "an exemption id")
    reason = forms.reason_form(await read_json(request))
    return web.json_response(
        views.exemption_json(await withdraw(desk, exemption_id, reason, actor_of(user)))
    )


async def get_coverage(request: web.Request) -> web.Response:
    desk = _desk(request)
    await signed_in_user(request)
    case_number = request.query.get("case_number")
    if case_number is None:
        raise BadRequest("give ?case_number=")
    return web.json_response(await case_coverage(desk, case_number))


async def get_report(request: web.Request) -> web.Response:
    desk = _desk(request)
    await signed_in_user(request)
    filters = forms.report_filters(request.query, desk.settings.zone)
    limit = forms.number(request.query, "limit", DEFAULT_LIMIT, _MAX_LIST)
    return web.json_response(await build_report(desk, filters, limit))


async def get_suggestions(request: web.Request) -> web.Response:
    desk = _desk(request)
    await signed_in_user(request)
    act_id = request.query.get("act_id")
    found = await list_suggestions(
        desk,
        case_number=request.query.get("case_number"),
        act_id=None if act_id is None else forms.path_id(act_id, "act_id"),
    )
    return web.json_response({"suggestions": [views.suggestion_json(s) for s in found]})


async def _decide(request: web.Request, decision: Decision) -> web.Response:
    desk = _desk(request)
    user = await signed_in_user(request, EDITORS)
    evidence_id, act_id, note = forms.decision_form(await read_json(request))
    record = await decide(desk, evidence_id, act_id, decision, actor_of(user), note)
    return web.json_response(views.decision_json(record), status=201)


async def confirm(request: web.Request) -> web.Response:
    return await _decide(request, Decision.CONFIRMED)


async def reject(request: web.Request) -> web.Response:
    return await _decide(request, Decision.REJECTED)


async def get_unassigned(request: web.Request) -> web.Response:
    desk = _desk(request)
    await signed_in_user(request)
    limit, offset = forms.page(request.query)
    found = await unassigned(desk, limit=limit, offset=offset)
    body: dict[str, Any] = {"recordings": [views.recording_json(stored) for stored in found]}
    return web.json_response(body)


def add_compliance_routes(app: web.Application) -> None:
    app.router.add_get(CATALOGUE, get_catalogue)
    app.router.add_put(CATALOGUE, put_catalogue)
    app.router.add_post(CASES, post_case)
    app.router.add_post(CASES_IMPORT, post_cases_import)
    app.router.add_post(ACTS, post_act)
    app.router.add_post(ACTS_IMPORT, post_acts_import)
    app.router.add_get(ACT, get_act)
    app.router.add_patch(ACT, patch_act)
    app.router.add_post(ACT_EXEMPTIONS, post_exemption)
    app.router.add_post(EXEMPTION_WITHDRAW, post_withdrawal)
    app.router.add_get(COVERAGE, get_coverage)
    app.router.add_get(REPORT, get_report)
    app.router.add_get(SUGGESTIONS, get_suggestions)
    app.router.add_post(SUGGESTION_CONFIRM, confirm)
    app.router.add_post(SUGGESTION_REJECT, reject)
    app.router.add_get(UNASSIGNED, get_unassigned)
