"""The retention-class rule (evidence/retention_classes.py), by tables of cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evidence.retention import Retention
from evidence.retention_classes import (
    ClassSource,
    Period,
    RecordingFacts,
    RetentionClasses,
    keeps_as_long,
)

CLASSES = RetentionClasses.parse(
    ("permanent = permanent", "long = 30 years", "three_years = 3 years", "six_months = 6 months"),
    "six_months",
)


@pytest.mark.parametrize(
    ("start", "period", "end"),
    [
        (datetime(2026, 8, 31, 9, tzinfo=UTC), "6 months", datetime(2027, 2, 28, 9, tzinfo=UTC)),
        (datetime(2027, 8, 31, tzinfo=UTC), "6 months", datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), "1 year", datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), "184 days", datetime(2026, 7, 4, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), "permanent", None),
    ],
)
def test_a_period_is_calendar_arithmetic(
    start: datetime, period: str, end: datetime | None
) -> None:
    assert Period.parse(period).after(start) == end


@pytest.mark.parametrize(
    ("longer", "shorter", "expected"),
    [
        ("6 months", "6 months", True),
        ("184 days", "6 months", True),  # the longest six months (July to January) is 184
        ("183 days", "6 months", False),
        ("181 days", "6 months", False),
        ("1 year", "12 months", True),
        ("365 days", "1 year", False),  # a leap year
        ("permanent", "100 years", True),
        ("100 years", "permanent", False),
    ],
)
def test_keeps_as_long_holds_from_every_start(longer: str, shorter: str, expected: bool) -> None:
    assert keeps_as_long(Period.parse(longer), Period.parse(shorter)) is expected


@pytest.mark.parametrize(
    ("classes", "default", "match"),
    [
        (("permanent = permanent", "short = 5 months"), "permanent", "less than the legal minimum"),
        (("permanent = permanent", "short = 183 days"), "short", "less than the legal minimum"),
        (("long = 30 years",), "long", "'permanent' must be there"),
        (("permanent = 100 years",), "permanent", "'permanent' must be there"),
        (("permanent = permanent",), "six_months", "default class 'six_months'"),
        (("permanent = permanent", "Long = 3 years"), "permanent", "lower-case"),
        (("permanent = permanent", "a = 1 year", "a = 2 years"), "a", "named twice"),
        (("permanent = permanent", "a 1 year"), "permanent", "'name = period'"),
        (("permanent = permanent", "a = 6 weeks"), "permanent", "days\\|months\\|years"),
        (("permanent = permanent", "a = 0 years"), "permanent", "days\\|months\\|years"),
    ],
)
def test_classes_are_refused_below_the_law_or_malformed(
    classes: tuple[str, ...], default: str, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        RetentionClasses.parse(classes, default)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("永久", "permanent"),
        ("同案卷保存期限", "permanent"),
        ("长期", "long"),
        ("不少于6个月", "six_months"),
        ("3个月", "six_months"),  # below the law: the shortest class, at least six months
        ("180日", "six_months"),
        ("1年", "three_years"),
        ("3年", "three_years"),
        ("10年", "long"),
        ("50年", "permanent"),  # no finite class keeps so long
        ("未列明", None),
    ],
)
def test_a_matter_phrase_maps_to_the_shortest_class_that_keeps_it(
    phrase: str, expected: str | None
) -> None:
    found = CLASSES.for_phrase(Retention.parse(phrase))
    assert (None if found is None else found.name) == expected


def test_long_term_without_a_long_class_is_permanent() -> None:
    classes = RetentionClasses.parse(("permanent = permanent", "half = 6 months"), "half")
    found = classes.for_phrase(Retention.parse("长期"))
    assert found is not None and found.name == "permanent"


P = Retention.parse


@pytest.mark.parametrize(
    ("facts", "name", "source", "because"),
    [
        (RecordingFacts(), "six_months", ClassSource.DEFAULT, "six_months"),
        (
            RecordingFacts(cases=("冀执2", "冀执1", "冀执2")),
            "permanent",
            ClassSource.CASE,
            "冀执1, 冀执2",
        ),
        (
            RecordingFacts(cases=("冀执1",), act_types=(("seizure", P("3年")),)),
            "permanent",
            ClassSource.CASE,
            "冀执1",
        ),
        (
            RecordingFacts(act_types=(("inspection", P("3年")), ("seizure", P("长期")))),
            "long",
            ClassSource.ACT_TYPE,
            "seizure: 长期",
        ),
        (
            RecordingFacts(act_types=(("inspection", P("1年")),)),
            "three_years",
            ClassSource.ACT_TYPE,
            "inspection: 1年",
        ),
        (
            RecordingFacts(act_types=(("unknown", None), ("hearing", P("未列明")))),
            "six_months",
            ClassSource.DEFAULT,
            "six_months",
        ),
    ],
)
def test_a_recording_class_follows_its_case_then_its_act_then_the_default(
    facts: RecordingFacts, name: str, source: ClassSource, because: str
) -> None:
    verdict = CLASSES.judge(facts)
    assert (verdict.retention_class.name, verdict.source, verdict.because) == (
        name,
        source,
        because,
    )


def test_the_verdict_dates_its_end_from_the_storing() -> None:
    stored = datetime(2026, 8, 31, 1, 2, 3, tzinfo=UTC)
    assert CLASSES.judge(RecordingFacts()).until(stored) == datetime(
        2027, 2, 28, 1, 2, 3, tzinfo=UTC
    )
    assert CLASSES.judge(RecordingFacts(cases=("c",))).until(stored) is None
