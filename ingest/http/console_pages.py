"""The console's reading pages: case search, a case with its acts and recordings, and a
recording with its signed manifest, verification, flags and accesses. They call the same
services as the JSON API, through the same case gate: a person limited to some cases
sees only theirs, and searching across every case needs access to every case."""

from __future__ import annotations

from aiohttp import web

from evidence.errors import UnknownCase
from evidence.identifiers import EvidenceId
from ingest.access.permissions import Action, may
from ingest.access.person import Person
from ingest.compliance import forms
from ingest.compliance.assessment import case_coverage
from ingest.console.history import log_rows, verification_rows
from ingest.console.keeping import hold_rows, retention_view
from ingest.console.paging import pager
from ingest.console.search import matching, search_form
from ingest.http.console_guard import CONSOLE, console_route, page
from ingest.http.services import services
from ingest.transfer.selection import entries_about
from storage.log_records import AccessQuery

__all__ = ["CASES_PAGE", "CASE_PAGE", "LOG_PROOF_PAGE", "RECORDING_PAGE", "add_page_routes"]

CASES_PAGE = CONSOLE + "/cases"
CASE_PAGE = CONSOLE + "/cases/{case_number}"
RECORDING_PAGE = CONSOLE + "/recordings/{evidence_id}"
LOG_PROOF_PAGE = CONSOLE + "/log/proof"
_HISTORY = 200  # verifications shown per object
_SEARCHED = 500  # recordings a search page reads (newest first), then the next page


async def get_cases(request: web.Request, person: Person) -> web.Response:
    """Reads a window of recordings (newest first, ``?offset=``) and keeps the matches;
    the page says which window it searched and links the next one when older exist."""
    form = search_form(request.query)
    zone = services(request).compliance.settings.zone
    found: list[dict[str, object]] = []
    pages = pager(CASES_PAGE, request.query, _SEARCHED, _SEARCHED)
    listed: list[dict[str, object]] = []
    if not form.empty:
        gate = services(request).gate
        if form.case_number:
            await gate.case(person, form.case_number)
        else:
            gate.every_case(person, "a search without a case number")
        recordings = services(request).recordings
        listed = await recordings.find(form.case_number or None, pages.read, pages.offset)
        found = matching(form, pages.rows(listed), zone)
    return page(
        request,
        "cases.html",
        person=person,
        form=form,
        found=found,
        pages=pages.links(len(listed)),
        zone=str(zone),
    )


async def get_case(request: web.Request, person: Person) -> web.Response:
    case_number = request.match_info["case_number"]
    await services(request).gate.case(person, case_number)
    recordings = await services(request).recordings.find(case_number, 1000)
    try:
        coverage = await case_coverage(services(request).compliance, case_number)
    except UnknownCase:
        coverage = None  # footage arrived before the case was registered
    return page(
        request,
        "case.html",
        person=person,
        case_number=case_number,
        recordings=recordings,
        coverage=coverage,
        may_export=may(person.role, Action.EXPORT),
        holds=await _case_holds(request, case_number),
    )


async def _case_holds(request: web.Request, case_number: str) -> list[dict[str, object]]:
    holds = services(request).keeping.holds.holds
    zone = services(request).compliance.settings.zone
    return hold_rows(await holds.find(case_number, None, True, 100, 0), zone)


async def _keeping(request: web.Request, evidence_id: EvidenceId) -> dict[str, object]:
    """The recording's retention, and the holds standing on it or on its cases."""
    keeping, zone = services(request).keeping, services(request).compliance.settings.zone
    lines = await keeping.report.lines([evidence_id], 1, 0)
    if not lines:
        return {"retention": None, "holds": []}
    held = [await keeping.holds.holds.hold(hold_id) for hold_id in lines[0].facts.holds]
    holds = hold_rows([hold for hold in held if hold is not None], zone)
    return {"retention": retention_view(lines[0].to_json(), zone), "holds": holds}


async def get_recording(request: web.Request, person: Person) -> web.Response:
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    await services(request).gate.recording(person, evidence_id)
    recording = await services(request).recordings.get(evidence_id)
    history = await _history(request, person, evidence_id)
    accesses = []
    if may(person.role, Action.READ_AUDIT):
        query = AccessQuery(evidence_id=evidence_id, limit=100, offset=0)
        accesses = await services(request).accesses.find(query)
    return page(
        request,
        "recording.html",
        person=person,
        recording=recording,
        accesses=accesses,
        verifications=history["verifications"],
        log_entries=history["log_entries"],
        may_watch=may(person.role, Action.VIEW_FOOTAGE),
        may_approve=may(person.role, Action.APPROVE),
        retention=(keeping := await _keeping(request, evidence_id))["retention"],
        holds=keeping["holds"],
    )


async def _history(
    request: web.Request, person: Person, evidence_id: EvidenceId
) -> dict[str, list[dict[str, object]]]:
    """Each object's verifications and the log entries about the recording (the export's
    selection: its ingests, decisions, fixity results and, for auditors, accesses)."""
    found = services(request).recordings
    stored = await found.objects.of_recording(evidence_id)
    log = services(request).proofs.log
    entries = await entries_about(log, await log.size(), stored, None)
    verifications = []
    for item in stored:
        records = await found.objects.verifications(item.evidence_id, item.role, _HISTORY)
        verifications += verification_rows(records, entries)
    shown = log_rows(entries, str(evidence_id), may(person.role, Action.READ_AUDIT))
    return {"verifications": verifications, "log_entries": shown}


async def get_log_proof(request: web.Request, person: Person) -> web.Response:
    """An entry's inclusion proof in the latest signed checkpoint, as the API serves it."""
    index = forms.number(request.query, "index", 0, 2**62)
    proof = await services(request).proofs.inclusion(index)
    response = web.Response(body=proof.to_bytes(), content_type="text/plain", charset="utf-8")
    response.headers["Liuhen-Log-Index"] = str(index)
    return response


def add_page_routes(app: web.Application) -> None:
    console_route(app, "GET", CASES_PAGE, get_cases, Action.READ_RECORDS)
    console_route(app, "GET", CASE_PAGE, get_case, Action.READ_RECORDS)
    console_route(app, "GET", RECORDING_PAGE, get_recording, Action.READ_RECORDS)
    console_route(app, "GET", LOG_PROOF_PAGE, get_log_proof, Action.READ_RECORDS)
