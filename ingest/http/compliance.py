"""The compliance JSON API (people only): catalogue, cases and acts, coverage,
suggestions, exemptions and the report. Thin: parse, call the domain in
``ingest.compliance``, answer; each route names its action (``access/permissions.py``)
and who acts is the signed-in person.

Those who keep (custodians, admins) register and edit cases and acts and decide
suggestions; those who approve (supervisors, admins) exempt acts and withdraw exemptions
(a custodian who keeps the footage does not excuse its absence), and make the edits that
move the window, type or case of an act whose duty is full (``compliance/roles.py``);
only admins replace the catalogue. A person limited to some cases reaches only theirs.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

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
    OFFICERS,
    OFFICERS_IMPORT,
    REPORT,
    SUGGESTION_CONFIRM,
    SUGGESTION_REJECT,
    SUGGESTIONS,
    UNASSIGNED,
    XLSX_CONTENT_TYPE,
)
from ingest.access.actors import actor_of
from ingest.access.case_gate import CaseGate
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.compliance import forms, views
from ingest.compliance.act_matching import decide, list_suggestions, unassigned
from ingest.compliance.acts import edit_act, register_act, register_case
from ingest.compliance.assessment import act_detail, case_coverage
from ingest.compliance.catalogues import current_catalogue, import_catalogue
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.exemptions import exempt, withdraw
from ingest.compliance.imports import import_acts, import_cases
from ingest.compliance.officers import import_roster, roster
from ingest.compliance.report import DEFAULT_LIMIT, build_report
from ingest.compliance.report_export import report_csv, report_xlsx
from ingest.compliance.tables import ImportOutcome
from ingest.http.bodies import read_json
from ingest.http.guard import person_route
from ingest.http.services import services
from ingest.http.tables import dry_run, read_table_upload
from storage.compliance_records import Decision

__all__ = ["add_compliance_routes"]

_MAX_LIST = 100_000


def _desk(request: web.Request) -> ComplianceDesk:
    return services(request).compliance


def _gate(request: web.Request) -> CaseGate:
    return services(request).gate


async def _act_id(request: web.Request, person: Person) -> int:
    act_id = forms.path_id(request.match_info["act_id"], "an act id")
    await _gate(request).act(person, act_id)
    return act_id


def _imported(outcome: ImportOutcome) -> web.Response:
    """A dry run answers everything it found; an import answers what it added."""
    return web.json_response(outcome.to_json() if outcome.dry_run else outcome.counts)


async def get_catalogue(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    catalogue, version = await current_catalogue(desk)
    if request.query.get("format") == "csv":
        return web.Response(text=catalogue.to_csv(), content_type=CSV_CONTENT_TYPE)
    return web.json_response(
        {"version": version, "entries": [views.entry_json(e) for e in catalogue.entries]}
    )


async def put_catalogue(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    upload = await read_table_upload(request, desk.settings.max_import_bytes)
    done = await import_catalogue(desk, upload, person.name, dry_run=dry_run(request))
    if done.dry_run:
        return web.json_response(done.to_json())
    return web.json_response({"version": done.version, "entries": len(done.catalogue.entries)})


async def post_case(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    case_number, agency, subject = forms.case_form(await read_json(request))
    await _gate(request).new_case(person, case_number, agency)
    record, new = await register_case(desk, case_number, agency, subject, person.name)
    return web.json_response(views.case_json(record), status=201 if new else 200)


async def post_cases_import(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    _gate(request).every_case(person, "a table import")
    upload = await read_table_upload(request, desk.settings.max_import_bytes)
    return _imported(await import_cases(desk, upload, person.name, dry_run=dry_run(request)))


async def post_act(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    draft = forms.act_form(await read_json(request))
    await _gate(request).case(person, draft.case_number)
    record, new = await register_act(desk, draft, person.name)
    return web.json_response(views.act_json(record), status=201 if new else 200)


async def post_acts_import(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    _gate(request).every_case(person, "a table import")
    upload = await read_table_upload(request, desk.settings.max_import_bytes)
    return _imported(await import_acts(desk, upload, person.name, dry_run=dry_run(request)))


async def get_act(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    act_id = await _act_id(request, person)
    return web.json_response(await act_detail(desk, act_id))


async def patch_act(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    act_id = await _act_id(request, person)
    revision, changes, reason = forms.edit_form(await read_json(request))
    if isinstance(changes.get("case_number"), str):  # moved: into a case they see
        await _gate(request).case(person, changes["case_number"])
    record = await edit_act(desk, act_id, changes, actor_of(person), reason, revision, person.role)
    return web.json_response(views.act_json(record))


async def post_exemption(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    act_id = await _act_id(request, person)
    reason, approver, approved_at, note = forms.exemption_form(await read_json(request))
    record = await exempt(desk, act_id, reason, approver, approved_at, note, actor_of(person))
    return web.json_response(views.exemption_json(record), status=201)


async def post_withdrawal(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    _gate(request).every_case(person, "withdrawing an exemption")
    exemption_id = forms.path_id(request.match_info["exemption_id"], "an exemption id")
    reason = forms.reason_form(await read_json(request))
    return web.json_response(
        views.exemption_json(await withdraw(desk, exemption_id, reason, actor_of(person)))
    )


async def get_coverage(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    case_number = request.query.get("case_number")
    if case_number is None:
        raise BadRequest("give ?case_number=")
    await _gate(request).case(person, case_number)
    return web.json_response(await case_coverage(desk, case_number))


async def get_report(request: web.Request, person: Person) -> web.Response:
    """The report as JSON, or ``?format=csv`` (Chinese headers, a BOM) or ``xlsx`` (one
    sheet per view) for people who open it in Excel."""
    desk = _desk(request)
    _gate(request).every_case(person, "the report")
    filters = forms.report_filters(request.query, desk.settings.zone)
    limit = forms.number(request.query, "limit", DEFAULT_LIMIT, _MAX_LIST)
    shape = request.query.get("format", "json")
    if shape not in ("json", "csv", "xlsx"):
        raise BadRequest(f"format is json, csv or xlsx; got {shape!r}")
    report = await build_report(desk, filters, limit, forms.threshold(request.query))
    if shape == "csv":
        return web.Response(text=report_csv(report), content_type=CSV_CONTENT_TYPE)
    if shape == "xlsx":
        body = await asyncio.to_thread(report_xlsx, report)
        return web.Response(body=body, content_type=XLSX_CONTENT_TYPE)
    return web.json_response(report)


async def get_officers(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    listed = sorted((await roster(desk)).values(), key=lambda officer: officer.officer_id)
    return web.json_response({"officers": [views.officer_json(o) for o in listed]})


async def post_officers_import(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    _gate(request).every_case(person, "a table import")
    upload = await read_table_upload(request, desk.settings.max_import_bytes)
    return _imported(await import_roster(desk, upload, person.name, dry_run=dry_run(request)))


async def get_suggestions(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    act_text, case_number = request.query.get("act_id"), request.query.get("case_number")
    act_id = None if act_text is None else forms.path_id(act_text, "act_id")
    if act_id is not None:
        await _gate(request).act(person, act_id)
    if case_number is not None:
        await _gate(request).case(person, case_number)
    if act_id is None and case_number is None:
        _gate(request).every_case(person, "suggestions for every act")
    found = await list_suggestions(desk, case_number=case_number, act_id=act_id)
    return web.json_response({"suggestions": [views.suggestion_json(s) for s in found]})


async def _decide(request: web.Request, person: Person, decision: Decision) -> web.Response:
    desk = _desk(request)
    evidence_id, act_id, note = forms.decision_form(await read_json(request))
    await _gate(request).act(person, act_id)
    record = await decide(desk, evidence_id, act_id, decision, actor_of(person), note)
    if decision is Decision.CONFIRMED:  # attached to a case now: permanent (docs/retention.md)
        await services(request).keeping.locks.on_attached(evidence_id)
    return web.json_response(views.decision_json(record), status=201)


async def confirm(request: web.Request, person: Person) -> web.Response:
    return await _decide(request, person, Decision.CONFIRMED)


async def reject(request: web.Request, person: Person) -> web.Response:
    return await _decide(request, person, Decision.REJECTED)


async def get_unassigned(request: web.Request, person: Person) -> web.Response:
    desk = _desk(request)
    _gate(request).every_case(person, "footage without a case")
    limit, offset = forms.page(request.query)
    found = await unassigned(desk, limit=limit, offset=offset)
    body: dict[str, Any] = {"recordings": [views.recording_json(stored) for stored in found]}
    return web.json_response(body)


_READ, _KEEP, _APPROVE = Action.READ_RECORDS, Action.KEEP, Action.APPROVE


def add_compliance_routes(app: web.Application) -> None:
    for method, path, handler, action in (
        ("GET", CATALOGUE, get_catalogue, _READ),
        ("PUT", CATALOGUE, put_catalogue, Action.MANAGE_CATALOGUE),
        ("POST", CASES, post_case, _KEEP),
        ("POST", CASES_IMPORT, post_cases_import, _KEEP),
        ("POST", ACTS, post_act, _KEEP),
        ("POST", ACTS_IMPORT, post_acts_import, _KEEP),
        ("GET", ACT, get_act, _READ),
        ("PATCH", ACT, patch_act, Action.EDIT_ACTS),
        ("POST", ACT_EXEMPTIONS, post_exemption, _APPROVE),
        ("POST", EXEMPTION_WITHDRAW, post_withdrawal, _APPROVE),
        ("GET", COVERAGE, get_coverage, _READ),
        ("GET", REPORT, get_report, Action.READ_REPORT),
        ("GET", OFFICERS, get_officers, _READ),
        ("POST", OFFICERS_IMPORT, post_officers_import, _KEEP),
        ("GET", SUGGESTIONS, get_suggestions, _READ),
        ("POST", SUGGESTION_CONFIRM, confirm, _KEEP),
        ("POST", SUGGESTION_REJECT, reject, _KEEP),
        ("GET", UNASSIGNED, get_unassigned, _READ),
    ):
        person_route(app, method, path, handler, action)
