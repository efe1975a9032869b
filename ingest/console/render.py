"""Pages from Jinja2 templates, autoescaped: every value a person or device wrote (a
place, a purpose, a flag's reason) reaches the page as text, never as markup."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from ingest.console import charts, timeline
from ingest.console.words import LANGUAGES, translator

__all__ = ["language", "render"]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ingest.console", "templates"),
        autoescape=True,  # .html or not: nothing here is meant to be raw
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the test, not the page
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language(asked: str | None) -> str:
    return asked if asked in LANGUAGES else LANGUAGES[0]


def render(name: str, lang: str, **values: Any) -> str:
    template = _environment().get_template(name)
    pictures = {
        "timeline": timeline.timeline,
        "width": timeline.WIDTH,
        "label_width": timeline.LABEL_WIDTH,
        "lane_height": timeline.LANE_HEIGHT,
        "chart_width": charts.CHART_WIDTH,
        "chart_label": charts.LABEL_WIDTH,
        "bar_height": charts.BAR_HEIGHT,
    }
    return template.render(lang=lang, t=translator(lang), **pictures, **values)
