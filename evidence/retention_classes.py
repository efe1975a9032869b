"""Retention classes: how long each recording must be kept, by one pure rule.

The national rule: keep footage at least six months; keep permanently what is case
evidence. An agency names its classes (``permanent``, ``long``, ``six_months`` …), each
with a period, in ``[server.retention]``; none may be shorter than six months, and one,
``permanent``, keeps for ever. A recording's class:

| the recording | class | source |
| --- | --- | --- |
| attached to a case (any) | ``permanent`` | ``case`` (the case numbers) |
| else attached to acts whose matter maps to a class | the longest | ``act_type`` (type, phrase) |
| else | the configured default | ``default`` |

A catalogue matter's 保存期限 phrase (``evidence.retention``) maps to a class:

| phrase | class |
| --- | --- |
| ``永久``, ``同案卷保存期限`` (the case file's period is not ours to know) | ``permanent`` |
| ``长期`` | ``long`` when configured, else ``permanent`` |
| a period (``30年``, ``不少于6个月`` …) | the shortest class that keeps at least that long, else ``permanent`` |
| ``未列明`` | none: the default applies |

Periods are calendar periods (6 months from 31 August is 28 February); one period keeps
"at least as long" as another when it ends no earlier from every start date (checked on
every day of a leap year and the next). Nothing here removes anything: it computes dates.
"""

from __future__ import annotations

import calendar
import enum
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from evidence.errors import StillRetained, UnderLegalHold
from evidence.retention import Retention, RetentionKind

__all__ = [
    "LEGAL_MINIMUM",
    "PERMANENT",
    "ClassSource",
    "Period",
    "RecordingFacts",
    "RetentionClass",
    "RetentionClasses",
    "Verdict",
    "check_removable",
]

PERMANENT = "permanent"
LONG = "long"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
_PERIOD = re.compile(r"(?P<count>[1-9]\d{0,3}) *(?P<unit>days?|months?|years?)")


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period (``count`` days, months or years), or for ever (``count`` None)."""

    count: int | None = None
    unit: str | None = None  # days, months or years

    @classmethod
    def parse(cls, text: str) -> Period:
        """``permanent``, or ``<N> days|months|years``."""
        if text.strip() == PERMANENT:
            return cls()
        found = _PERIOD.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"a period is 'permanent' or '<N> days|months|years', not {text!r}")
        unit = found["unit"].rstrip("s") + "s"
        return cls(int(found["count"]), unit)

    @property
    def permanent(self) -> bool:
        return self.count is None

    def after(self, start: datetime) -> datetime | None:
        """The end of the period begun at ``start``; None for ever."""
        if self.count is None:
            return None
        if self.unit == "days":
            return start + timedelta(days=self.count)
        months = self.count * (12 if self.unit == "years" else 1)
        year, month = divmod(start.month - 1 + months, 12)
        year += start.year
        day = min(start.day, calendar.monthrange(year, month + 1)[1])
        return start.replace(year=year, month=month + 1, day=day)

    def __str__(self) -> str:
        return PERMANENT if self.count is None else f"{self.count} {self.unit}"


LEGAL_MINIMUM = Period(6, "months")
_STARTS = tuple(datetime(2024, 1, 1) + timedelta(days=n) for n in range(731))


@functools.lru_cache(maxsize=256)
def keeps_as_long(longer: Period, shorter: Period) -> bool:
    """Whether ``longer`` ends no earlier than ``shorter`` from every start date."""
    if longer.permanent:
        return True
    if shorter.permanent:
        return False
    for start in _STARTS:
        end, other = longer.after(start), shorter.after(start)
        if end is not None and other is not None and end < other:
            return False
    return True


@dataclass(frozen=True, slots=True)
class RetentionClass:
    name: str
    period: Period


class ClassSource(enum.StrEnum):
    CASE = "case"
    ACT_TYPE = "act_type"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class RecordingFacts:
    """What the index knows of one recording: the cases it is attached to, and the act
    types of the acts it is attached to with their catalogue 保存期限 phrase (None when the
    catalogue has no such matter)."""

    cases: tuple[str, ...] = ()
    act_types: tuple[tuple[str, Retention | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    """A recording's class, where it came from and the phrase or case that decided it."""

    retention_class: RetentionClass
    source: ClassSource
    because: str

    def until(self, stored_at: datetime) -> datetime | None:
        """The end of its retention, counted from when it was stored; None: never."""
        return self.retention_class.period.after(stored_at)


class RetentionClasses:
    """The configured classes, checked: each at least the legal six months, ``permanent``
    among them for ever, the default one of them."""

    def __init__(self, classes: Iterable[RetentionClass], default: str) -> None:
        self.classes: Mapping[str, RetentionClass] = _checked(list(classes))
        if default not in self.classes:
            raise ValueError(f"the default class {default!r} is not one of the classes")
        self.default = self.classes[default]

    @classmethod
    def parse(cls, texts: Sequence[str], default: str) -> RetentionClasses:
        """From ``name = period`` lines (``six_months = 6 months``)."""
        parsed = []
        for text in texts:
            name, equals, period = text.partition("=")
            if not equals:
                raise ValueError(f"a class is written 'name = period', not {text!r}")
            parsed.append(RetentionClass(name.strip(), Period.parse(period)))
        return cls(parsed, default)

    @property
    def permanent(self) -> RetentionClass:
        return self.classes[PERMANENT]

    def for_phrase(self, phrase: Retention) -> RetentionClass | None:
        """The class a catalogue matter's 保存期限 maps to; None when it states none."""
        kind = phrase.kind
        if kind in (RetentionKind.PERMANENT, RetentionKind.WITH_CASE_FILE):
            return self.permanent
        if kind is RetentionKind.LONG_TERM:
            return self.classes.get(LONG, self.permanent)
        if kind is RetentionKind.NOT_STATED or phrase.count is None:
            return None
        wanted = Period(phrase.count, phrase.unit)
        fits = [c for c in self.classes.values() if keeps_as_long(c.period, wanted)]
        return _shortest(fits)

    def judge(self, facts: RecordingFacts) -> Verdict:
        """The recording's class (the table at the head of this module)."""
        if facts.cases:
            return Verdict(self.permanent, ClassSource.CASE, ", ".join(sorted(set(facts.cases))))
        chosen: list[tuple[RetentionClass, str]] = []
        for act_type, phrase in sorted(facts.act_types, key=lambda pair: pair[0]):
            found = None if phrase is None else self.for_phrase(phrase)
            if found is not None and phrase is not None:
                chosen.append((found, f"{act_type}: {phrase.text}"))
        if not chosen:
            return Verdict(self.default, ClassSource.DEFAULT, self.default.name)
        longest = _longest([item[0] for item in chosen])
        why = next(text for found, text in chosen if found == longest)
        return Verdict(longest, ClassSource.ACT_TYPE, why)


def _checked(classes: list[RetentionClass]) -> dict[str, RetentionClass]:
    found: dict[str, RetentionClass] = {}
    for item in classes:
        if not _NAME.fullmatch(item.name):
            raise ValueError(f"a class name is lower-case letters, digits, _: {item.name!r}")
        if item.name in found:
            raise ValueError(f"the class {item.name!r} is named twice")
        if not keeps_as_long(item.period, LEGAL_MINIMUM):
            raise ValueError(
                f"the class {item.name!r} keeps {item.period}: "
                f"less than the legal minimum of {LEGAL_MINIMUM}"
            )
        found[item.name] = item
    if PERMANENT not in found or not found[PERMANENT].period.permanent:
        raise ValueError(f"the class {PERMANENT!r} must be there, and keep for ever")
    return found


def _shortest(candidates: list[RetentionClass]) -> RetentionClass:
    best = candidates[0]  # permanent always fits
    for item in candidates[1:]:
        if keeps_as_long(best.period, item.period) and best.period != item.period:
            best = item
    return best


def _longest(candidates: list[RetentionClass]) -> RetentionClass:
    best = candidates[0]
    for item in candidates[1:]:
        if not keeps_as_long(best.period, item.period):
            best = item
    return best


def check_removable(removable_at: datetime | None, holds: Sequence[int], now: datetime) -> None:
    """Refuse the removal of an object under a standing hold (``under_legal_hold``), kept
    for ever or not yet at its date (``still_retained``); return when it may go."""
    if holds:
        raise UnderLegalHold(f"legal hold {', '.join(map(str, holds))} stands", holds=list(holds))
    if removable_at is None:
        raise StillRetained("its retention class keeps it permanently", until=None)
    if now < removable_at:
        raise StillRetained(
            f"kept until {removable_at.isoformat()}", until=removable_at.isoformat()
        )
