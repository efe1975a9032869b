"""How long footage is kept (存储期限, 保存期限), as agencies write it: kept verbatim, and
read into a rule beside it.

| written | rule |
| --- | --- |
| ``永久`` | permanent |
| ``长期`` | long term (the archive rules' 长期, no number of years) |
| ``30年``, ``6个月``, ``180日``, ``90天`` | that period |
| ``不少于6个月``, ``至少3年``, ``6个月以上`` | at least that period |
| ``同案卷保存期限``, ``与案卷保管期限一致``, ``随案卷归档`` … | as long as the case file |
| ``未列明`` | not stated (the table had no such column) |

Liuhen deletes no footage whatever the rule says: the period is the agency's, kept and
shown, so that a reader knows what the agency promised.
"""

from __future__ import annotations

import dataclasses
import enum
import re

__all__ = ["NOT_STATED", "Retention", "RetentionKind"]

NOT_STATED = "未列明"
_PERIOD = re.compile(
    r"(?P<least>不少于|不低于|至少|最少)?(?P<count>[1-9]\d{0,3})\s*(?P<unit>年|个月|月|日|天)"
    r"(?P<more>以上|及以上)?"
)
_CASE_FILE = re.compile(r"^(同|与|随|按)?(案卷|卷宗)(同期|一致|保存|保管|保留|归档|存档|期限)")
_UNITS = {"年": "years", "个月": "months", "月": "months", "日": "days", "天": "days"}


class RetentionKind(enum.StrEnum):
    PERMANENT = "permanent"
    LONG_TERM = "long_term"
    PERIOD = "period"
    AT_LEAST = "at_least"
    WITH_CASE_FILE = "with_case_file"
    NOT_STATED = "not_stated"


@dataclasses.dataclass(frozen=True, slots=True)
class Retention:
    """The phrase as written (``text``) and what it says (``kind``; ``count`` of ``unit``
    for a period), read from the text: an unreadable phrase cannot exist."""

    text: str
    kind: RetentionKind = dataclasses.field(init=False)
    count: int | None = dataclasses.field(init=False)
    unit: str | None = dataclasses.field(init=False)  # years, months or days

    def __post_init__(self) -> None:
        kind, count, unit = _rule(self.text)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "count", count)
        object.__setattr__(self, "unit", unit)

    @classmethod
    def parse(cls, text: str) -> Retention:
        """A phrase as a table writes it: spaces inside a period (``30 年``) dropped."""
        compact = "".join(text.split())
        return cls(compact if _PERIOD.fullmatch(compact) else " ".join(text.split()))

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "kind": self.kind.value, "count": self.count, "unit": self.unit}


_WHAT = (
    "must be 永久, 长期, a period such as 30年, 6个月 or 180日 (不少于6个月: at least), "
    "or 同案卷保存期限"
)
_NAMED = {
    "永久": RetentionKind.PERMANENT,
    "长期": RetentionKind.LONG_TERM,
    NOT_STATED: RetentionKind.NOT_STATED,
}


def _rule(text: str) -> tuple[RetentionKind, int | None, str | None]:
    compact = "".join(text.split())
    if compact in _NAMED:
        return _NAMED[compact], None, None
    if _CASE_FILE.match(compact):
        return RetentionKind.WITH_CASE_FILE, None, None
    period = _PERIOD.fullmatch(compact)
    if period is None or compact != text:
        raise ValueError(f"{_WHAT}; got {text!r}")
    least = bool(period["least"] or period["more"])
    kind = RetentionKind.AT_LEAST if least else RetentionKind.PERIOD
    return kind, int(period["count"]), _UNITS[period["unit"]]
