"""The supervisor's report in the console: coverage rate as bar charts by agency, act
type, officer and month, the weak links, and the same report as CSV. Built by the same
``build_report`` as the JSON API, with the same filters (``?agency=``, ``?since=`` …)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from evidence.wire import CSV_CONTENT_TYPE
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.compliance import forms
from ingest.compliance.report import build_report
from ingest.compliance.report_export import report_csv
from ingest.console.charts import chart
from ingest.console.words import translator
from ingest.http.console_guard import CONSOLE, console_route, lang_of, page
from ingest.http.services import services

__all__ = ["REPORT_PAGE", "add_report_routes"]

REPORT_PAGE = CONSOLE + "/report"
REPORT_CSV = CONSOLE + "/report.csv"
_CHARTS = (
    ("by_agency", "by_agency", "agency"),
    ("by_act_type", "by_act_type", "act_type"),
    ("by_officer", "by_officer", "officer"),
    ("by_month", "by_period", "period"),
)


async def _report(request: web.Request, person: Person) -> tuple[dict[str, Any], dict[str, str]]:
    desk = services(request).compliance
    services(request).gate.every_case(person, "the report")
    query = {k: v for k, v in request.query.items() if k != "lang"}
    filters = forms.report_filters(query, desk.settings.zone)
    return await build_report(desk, filters, 100, forms.threshold(query)), query


async def get_report(request: web.Request, person: Person) -> web.Response:
    report, query = await _report(request, person)
    word = translator(lang_of(request))
    charts = [
        (word(title), chart(word(title), report[rows], key, report["threshold"]))
        for title, rows, key in _CHARTS
    ]
    return page(
        request, "report.html", person=person, report=report, charts=charts, query=urlencode(query)
    )


async def get_report_csv(request: web.Request, person: Person) -> web.Response:
    report, _ = await _report(request, person)
    response = web.Response(text=report_csv(report), content_type=CSV_CONTENT_TYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="liuhen-report.csv"'
    return response


def add_report_routes(app: web.Application) -> None:
    console_route(app, "GET", REPORT_PAGE, get_report, Action.READ_REPORT)
    console_route(app, "GET", REPORT_CSV, get_report_csv, Action.READ_REPORT)
